"""The invoice settings: a sample seller in development and the tests, none in production,
which refuses to start without them (core/production.py)."""

from __future__ import annotations

import pytest

from core.config import load_settings
from core.production import problems
from tests.production.test_refusals import SAFE

SELLER_NAMES = (
    "INVOICE_SERIES SELLER_NAME SELLER_ADDRESS SELLER_VAT_NUMBER SELLER_BANK_ACCOUNT "
    "SELLER_REGISTRATION_NUMBER"
).split()


def test_production_names_every_missing_invoice_setting() -> None:
    bare = {k: v for k, v in SAFE.items() if k not in SELLER_NAMES}
    (found,) = problems(load_settings(bare))
    assert found.startswith("Invoices need INVOICE_SERIES, SELLER_NAME, SELLER_ADDRESS,")
    assert all(name in found for name in SELLER_NAMES)
    (found,) = problems(load_settings({**SAFE, "SELLER_BANK_ACCOUNT": " "}))
    assert found == 'Invoices need SELLER_BANK_ACCOUNT; set them (README "Invoices").'


@pytest.mark.parametrize("number", ["10537914", "HU10537914", "10537915-2-44", "1053791-2-44"])
def test_production_refuses_a_seller_vat_number_that_is_no_adoszam(number: str) -> None:
    (found,) = problems(load_settings({**SAFE, "SELLER_VAT_NUMBER": number}))
    assert "is not a Hungarian adószám" in found and number in found


@pytest.mark.parametrize("series", ["aos", "AOS-1", "ABCDEFGHIJK"])
def test_production_refuses_a_series_that_would_garble_the_numbers(series: str) -> None:
    (found,) = problems(load_settings({**SAFE, "INVOICE_SERIES": series}))
    assert "INVOICE_SERIES" in found and "capital letters or digits" in found


def test_development_invoices_as_a_sample_seller_and_settings_win() -> None:
    dev = load_settings({"AOS_ENV": "development", "SECRET_KEY": "k" * 40}).invoicing
    assert dev.series == "AOS" and dev.seller_vat_number == "10537914-2-44"
    assert dev.mnb_rates_url == "http://www.mnb.hu/arfolyamok.asmx"
    chosen = load_settings(
        {
            "AOS_ENV": "development",
            "SECRET_KEY": "k" * 40,
            "SELLER_NAME": "Valódi Kft.",
            "MNB_RATES_URL": "http://127.0.0.1:8090/arfolyamok.asmx",
        }
    ).invoicing
    assert chosen.seller_name == "Valódi Kft."
    assert chosen.mnb_rates_url == "http://127.0.0.1:8090/arfolyamok.asmx"
    production = load_settings({k: v for k, v in SAFE.items() if k not in SELLER_NAMES})
    assert production.invoicing.seller_name == "" and production.invoicing.series == ""
