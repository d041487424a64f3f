"""The official XSDs (nav/xsd/), loaded once, and validation that lists what is wrong."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"
API_NS = "http://schemas.nav.gov.hu/OSA/3.0/api"
DATA_NS = "http://schemas.nav.gov.hu/OSA/3.0/data"
BASE_NS = "http://schemas.nav.gov.hu/OSA/3.0/base"
COMMON_NS = "http://schemas.nav.gov.hu/NTCA/1.0/common"
_FILES = {COMMON_NS: "common.xsd", BASE_NS: "invoiceBase.xsd"}


@functools.cache
def _schema(namespace: str, filename: str) -> etree.XMLSchema:
    # NAV's files import by namespace only (a catalog resolves them): a wrapper schema
    # imports each namespace from its file, the files themselves stay as NAV ships them.
    files = {**_FILES, namespace: filename}
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(XSD_DIR / name).as_uri()}"/>'
        for ns, name in files.items()
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


def api_schema() -> etree.XMLSchema:
    return _schema(API_NS, "invoiceApi.xsd")


def data_schema() -> etree.XMLSchema:
    return _schema(DATA_NS, "invoiceData.xsd")


def _errors(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    # No DTDs, no entities, no network: the stand-in parses what clients send.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        document = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as err:
        return [f"not well-formed XML: {err}"]
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def api_errors(xml: bytes) -> list[str]:
    """What makes `xml` an invalid request or response of invoiceApi.xsd ([] if valid)."""
    return _errors(api_schema(), xml)


def data_errors(xml: bytes) -> list[str]:
    """What makes `xml` invalid invoice data against invoiceData.xsd ([] if valid)."""
    return _errors(data_schema(), xml)
