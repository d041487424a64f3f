"""MNB's rates through zeep from the local stand-in: the rule for days without a rate,
the stored rate per day, and MNB down."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from invoicing.mnb import MnbClient, MnbUnavailable, parse_rates
from invoicing.rates import ExchangeRates
from tests.invoicing.conftest import control

FRIDAY, SATURDAY, SUNDAY, MONDAY = (date(2026, 12, d) for d in (4, 5, 6, 7))


def _rates(sessions: sessionmaker, url: str, today: date = date(2026, 12, 20)) -> ExchangeRates:
    return ExchangeRates(sessions, MnbClient(url), today=lambda: today)


def calls(url: str) -> int:
    import httpx

    return httpx.get(url.replace("/arfolyamok.asmx", "/_control/calls"), timeout=5).json()["calls"]


def test_a_published_day_has_its_own_rate(sessions: sessionmaker, mnb_url: str) -> None:
    control(mnb_url, "rates", {"EUR": {"2026-12-04": "390,12"}})
    rate = _rates(sessions, mnb_url).rate_on("EUR", FRIDAY)
    assert (rate.rate, rate.unit, rate.published_on) == (Decimal("390.12"), 1, FRIDAY)


def test_a_weekend_takes_the_last_rate_published_before_it(
    sessions: sessionmaker, mnb_url: str
) -> None:
    control(mnb_url, "rates", {"EUR": {"2026-12-04": "390,12", "2026-12-07": "391,00"}})
    rates = _rates(sessions, mnb_url)
    sunday = rates.rate_on("EUR", SUNDAY)
    assert (sunday.rate, sunday.published_on) == (Decimal("390.12"), FRIDAY)
    # A holiday too: 2026-12-25 (Friday) and 26 have no rate; the 24th's is in force.
    control(mnb_url, "rates", {"EUR": {"2026-12-24": "389,50"}})
    christmas = rates.rate_on("EUR", date(2026, 12, 26))
    assert (christmas.rate, christmas.published_on) == (Decimal("389.50"), date(2026, 12, 24))


def test_rates_are_stored_per_day_and_mnb_is_not_asked_again(
    sessions: sessionmaker, mnb_url: str
) -> None:
    control(mnb_url, "rates", {"EUR": {"2026-12-04": "390,12"}})
    rates = _rates(sessions, mnb_url)
    rates.rate_on("EUR", SUNDAY)
    asked = calls(mnb_url)
    stored = {r.day: (r.rate, r.published_on) for r in rates.stored("EUR")}
    assert stored[SATURDAY] == stored[SUNDAY] == (Decimal("390.12"), FRIDAY)
    # Every day from the first publication in the 14 days looked back (Monday 23 November)
    assert sorted(stored) == [date(2026, 11, 23 + n) for n in range(8)] + [
        date(2026, 12, n) for n in range(1, 7)
    ]
    control(mnb_url, "outage", {"count": 5})
    assert rates.rate_on("EUR", SATURDAY).rate == Decimal("390.12")  # from the table
    assert calls(mnb_url) == asked


def test_today_before_mnb_publishes_is_asked_again_later(
    sessions: sessionmaker, mnb_url: str
) -> None:
    control(mnb_url, "rates", {"EUR": {"2026-12-04": "390,12"}})
    rates = _rates(sessions, mnb_url, today=SATURDAY)
    assert rates.rate_on("EUR", SATURDAY).published_on == FRIDAY
    assert SATURDAY not in {r.day for r in rates.stored("EUR")}  # not final yet
    assert rates.rate_on("EUR", SATURDAY).published_on == FRIDAY


@pytest.mark.parametrize("style", ["fault", "http"])
def test_mnb_down_is_a_clear_error_and_the_next_call_works(
    sessions: sessionmaker, mnb_url: str, style: str
) -> None:
    rates = _rates(sessions, mnb_url)
    control(mnb_url, "outage", {"count": 1, "style": style})
    with pytest.raises(MnbUnavailable, match="unavailable"):
        rates.rate_on("EUR", MONDAY)
    assert rates.rate_on("EUR", MONDAY).published_on == MONDAY


def test_an_unreachable_service_is_unavailable() -> None:
    with pytest.raises(MnbUnavailable):
        MnbClient("http://127.0.0.1:9/arfolyamok.asmx", timeout=2).exchange_rates(
            "EUR", FRIDAY, FRIDAY
        )


def test_mnbs_own_answer_is_parsed() -> None:
    document = (
        '<MNBExchangeRates><Day date="2026-12-04"><Rate unit="1" curr="EUR">390,12</Rate>'
        '<Rate unit="100" curr="JPY">265,43</Rate></Day></MNBExchangeRates>'
    )
    eur, jpy = parse_rates(document)
    assert (eur.currency, eur.rate, eur.unit) == ("EUR", Decimal("390.12"), 1)
    assert (jpy.currency, jpy.rate, jpy.unit) == ("JPY", Decimal("265.43"), 100)
    with pytest.raises(MnbUnavailable):
        parse_rates("<html>Service Unavailable</html>")


def test_the_standin_wsdl_is_shaped_like_mnbs(mnb_url: str) -> None:
    """Binding and service in http://tempuri.org/, the contract imported in MNB's namespace:
    the client finds the binding by name, so the real WSDL works the same way."""
    from zeep import Client

    client = Client(f"{mnb_url}?wsdl")
    assert list(client.wsdl.bindings) == [
        "{http://tempuri.org/}CustomBinding_MNBArfolyamServiceSoap"
    ]
    assert list(client.wsdl.services) == ["MNBArfolyamServiceSoapImpl"]
    operation = client.wsdl.bindings[
        "{http://tempuri.org/}CustomBinding_MNBArfolyamServiceSoap"
    ].get("GetExchangeRates")
    assert operation.soapaction == (
        "http://www.mnb.hu/webservices/MNBArfolyamServiceSoap/GetExchangeRates"
    )
