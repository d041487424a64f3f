"""A small client of MNB's exchange-rate web service (SOAP), through zeep.

The service (MNB_RATES_URL, `http://www.mnb.hu/arfolyamok.asmx`) publishes its WSDL at
`?wsdl`; `GetExchangeRates(startDate, endDate, currencyNames)` answers with one string that
is itself an XML document:

    <MNBExchangeRates><Day date="2026-12-04"><Rate unit="1" curr="EUR">390,12</Rate></Day>…

one Day per day MNB published (none for weekends and holidays), decimal commas, and
`unit` 100 for currencies such as JPY. invoicing.mnb_standin answers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import TransportError
from zeep.transports import Transport

NAMESPACE = "http://www.mnb.hu/webservices/"
# MNB's binding, found by its local name (MNB's WSDL puts it in http://tempuri.org/, its
# contract in NAMESPACE); the proxy then posts to MNB_RATES_URL whatever the WSDL says.
BINDING = "CustomBinding_MNBArfolyamServiceSoap"
TIMEOUT = 10.0
# The inner document is parsed without DTDs, entities or network access.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class MnbUnavailable(RuntimeError):
    """MNB did not answer, or answered with a fault or something that is not its XML."""


@dataclass(frozen=True)
class PublishedRate:
    day: date
    currency: str
    rate: Decimal  # HUF per `unit` units
    unit: int


class _Transport(Transport):
    """zeep's transport, but an error page that is not SOAP (a proxy's 503) is an error
    (zeep itself fails on it with an AttributeError while looking for a fault)."""

    def post(self, address, message, headers):  # type: ignore[no-untyped-def]
        response = super().post(address, message, headers)
        kind = response.headers.get("Content-Type", "")
        if response.status_code >= 400 and "xml" not in kind:
            raise TransportError(f"HTTP {response.status_code}", status_code=response.status_code)
        return response


class MnbClient:
    def __init__(self, url: str, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._service = None

    def _proxy(self):  # type: ignore[no-untyped-def]
        if self._service is None:
            transport = _Transport(timeout=self.timeout, operation_timeout=self.timeout)
            client = Client(
                f"{self.url}?wsdl", transport=transport, settings=Settings(strict=False)
            )
            names = [name for name in client.wsdl.bindings if name.endswith("}" + BINDING)]
            if not names:
                raise MnbUnavailable(f"{self.url}?wsdl has no {BINDING} binding")
            self._service = client.create_service(names[0], self.url)
        return self._service

    def exchange_rates(self, currency: str, start: date, end: date) -> list[PublishedRate]:
        """The rates MNB published for `currency` from `start` to `end`, oldest first."""
        try:
            answer = self._proxy().GetExchangeRates(
                startDate=start.isoformat(), endDate=end.isoformat(), currencyNames=currency
            )
        except (ZeepError, requests.RequestException, OSError) as err:
            self._service = None  # the WSDL is read again next time (the service may move)
            raise MnbUnavailable(f"MNB exchange rates unavailable: {err}") from err
        return parse_rates(answer or "")


def parse_rates(document: str) -> list[PublishedRate]:
    """The rates in MNB's `<MNBExchangeRates>` string."""
    try:
        root = etree.fromstring(document.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as err:
        raise MnbUnavailable(f"MNB answered with something that is not its XML: {err}") from err
    if root.tag != "MNBExchangeRates":
        raise MnbUnavailable(f"MNB answered with <{root.tag}>, not <MNBExchangeRates>")
    found = []
    for day in root.iter("Day"):
        for rate in day.iter("Rate"):
            try:
                found.append(
                    PublishedRate(
                        day=date.fromisoformat(day.get("date", "")),
                        currency=rate.get("curr", ""),
                        rate=Decimal((rate.text or "").strip().replace(",", ".")),
                        unit=int(rate.get("unit", "1")),
                    )
                )
            except (ValueError, InvalidOperation) as err:
                raise MnbUnavailable(f"MNB sent a rate that is not a number: {err}") from err
    return sorted(found, key=lambda r: r.day)
