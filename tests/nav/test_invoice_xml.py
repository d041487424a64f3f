"""The invoice data XML validates against NAV's invoiceData.xsd and says what NAV reads."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from nav.invoice_xml import invoice_data_xml
from nav.model import PRIVATE_PERSON, Buyer, TaxNumber, VatRate
from nav.schemas import BASE_NS, DATA_NS, data_errors
from tests.nav.samples import credit_note, de_invoice, hu_invoice

NS = {"d": DATA_NS, "b": BASE_NS}


def _read(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def test_a_hungarian_buyers_invoice_is_valid_with_27_percent() -> None:
    xml = invoice_data_xml(hu_invoice())
    assert data_errors(xml) == []
    doc = _read(xml)
    assert doc.findtext("d:invoiceNumber", namespaces=NS) == "AOS-2026-000001"
    customer = doc.find(".//d:customerInfo", NS)
    assert customer.findtext("d:customerVatStatus", namespaces=NS) == "DOMESTIC"
    assert customer.findtext(".//b:taxpayerId", namespaces=NS) == "11111111"
    assert doc.findtext(".//d:lineVatRate/d:vatPercentage", namespaces=NS) == "0.27"
    assert doc.findtext(".//d:invoiceVatAmountHUF", namespaces=NS) == "2700.00"
    assert doc.findtext(".//d:invoiceGrossAmount", namespaces=NS) == "12700"
    assert doc.findtext(".//d:invoiceDeliveryPeriodEnd", namespaces=NS) == "2026-12-05"


def test_an_eu_buyers_service_is_out_of_scope_reverse_charge_in_eur_with_huf() -> None:
    xml = invoice_data_xml(de_invoice())
    assert data_errors(xml) == []
    doc = _read(xml)
    customer = doc.find(".//d:customerInfo", NS)
    assert customer.findtext("d:customerVatStatus", namespaces=NS) == "OTHER"
    assert customer.findtext(".//d:communityVatNumber", namespaces=NS) == "DE123456789"
    assert doc.findtext(".//d:supplierInfo/d:communityVatNumber", namespaces=NS) == "HU12345676"
    out = doc.find(".//d:lineVatRate/d:vatOutOfScope", NS)
    assert out.findtext("d:case", namespaces=NS) == "EUFAD37"
    assert "Reverse charge" in out.findtext("d:reason", namespaces=NS)
    assert doc.findtext(".//d:currencyCode", namespaces=NS) == "EUR"
    assert doc.findtext(".//d:exchangeRate", namespaces=NS) == "388.15"
    assert doc.findtext(".//d:lineNetAmountHUF", namespaces=NS) == "9703.75"  # 25 × 388.15
    assert doc.findtext(".//d:invoiceNetAmountHUF", namespaces=NS) == "9703.75"


def test_a_credit_note_refers_to_the_original_and_adds_negative_lines() -> None:
    original = hu_invoice()
    xml = invoice_data_xml(credit_note(original))
    assert data_errors(xml) == []
    doc = _read(xml)
    ref = doc.find(".//d:invoiceReference", NS)
    assert ref.findtext("d:originalInvoiceNumber", namespaces=NS) == original.number
    assert ref.findtext("d:modifyWithoutMaster", namespaces=NS) == "false"
    assert ref.findtext("d:modificationIndex", namespaces=NS) == "1"
    assert doc.findtext(".//d:lineNumberReference", namespaces=NS) == "2"
    assert doc.findtext(".//d:lineOperation", namespaces=NS) == "CREATE"
    assert doc.findtext(".//d:invoiceGrossAmount", namespaces=NS) == "-12700"


def test_a_private_persons_data_is_not_reported() -> None:
    invoice = replace(hu_invoice(), buyer=Buyer(vat_status=PRIVATE_PERSON, name="Kovács Anna"))
    xml = invoice_data_xml(invoice)
    assert data_errors(xml) == []
    assert b"Kov\xc3\xa1cs" not in xml


def test_two_vat_rates_are_summed_separately() -> None:
    invoice = hu_invoice()
    exempt = replace(
        invoice.lines[0],
        vat=Decimal(0),
        gross=Decimal("10000"),
        vat_rate=VatRate(exemption=("AAM", "Alanyi adómentes")),
    )
    xml = invoice_data_xml(replace(invoice, lines=(invoice.lines[0], exempt)))
    assert data_errors(xml) == []
    assert len(_read(xml).findall(".//d:summaryByVatRate", NS)) == 2


def test_the_schema_check_names_what_is_wrong() -> None:
    xml = invoice_data_xml(hu_invoice()).replace(b"<currencyCode>HUF", b"<currencyCode>huf")
    errors = data_errors(xml)
    assert errors and "currencyCode" in errors[0]


def test_bad_input_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="tax number"):
        TaxNumber.parse("1234")
    with pytest.raises(ValueError, match="exactly one"):
        VatRate()
    with pytest.raises(ValueError, match="tax number"):
        invoice_data_xml(replace(hu_invoice(), buyer=replace(hu_invoice().buyer, tax_number=None)))
