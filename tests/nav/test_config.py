"""NAV settings (core/config.py): the names of ARCHITECTURE.md's invoices row, development
defaults that reach the stand-in, and clear refusals of an incomplete technical user."""

from __future__ import annotations

import pytest

from core.config import ConfigError, load_settings
from nav.dev import DEV_USER, STANDIN_URL

BASE = {"SECRET_KEY": "k" * 32}
URL = {"NAV_API_URL": "https://api.onlineszamla.nav.gov.hu/invoiceService/v3"}
USER = {
    "NAV_LOGIN": "techuser01",
    "NAV_PASSWORD": "secret password",
    "NAV_SIGNATURE_KEY": "ab-cd-signature-key",
    "NAV_EXCHANGE_KEY": "0123456789abcdef",
    "NAV_TAX_NUMBER": "12345676-2-41",
}


def test_development_without_settings_talks_to_the_stand_in() -> None:
    nav = load_settings({**BASE, "AOS_ENV": "development"}).nav
    assert nav is not None
    assert nav.api_url == STANDIN_URL
    assert nav.user == DEV_USER


def test_production_without_a_technical_user_has_no_nav() -> None:
    assert load_settings({**BASE, "AOS_ENV": "production"}).nav is None


def test_a_technical_user_is_read_with_the_first_eight_digits_of_the_tax_number() -> None:
    env = {**BASE, "AOS_ENV": "production", **USER, "NAV_SOFTWARE_DEV_TAX_NUMBER": "12345676"}
    env["NAV_API_URL"] = "https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3"
    nav = load_settings(env).nav
    assert nav.api_url == "https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3"
    assert nav.user.tax_number == "12345676"
    assert nav.user.password == "secret password"
    assert nav.software.software_id == "HU12345676-AOS-001"
    assert nav.software.dev_tax_number == "12345676"
    assert "secret password" not in repr(load_settings(env))


def test_the_api_url_is_a_setting() -> None:
    url = "https://api.onlineszamla.nav.gov.hu/invoiceService/v3/"
    nav = load_settings({**BASE, "AOS_ENV": "production", **USER, "NAV_API_URL": url}).nav
    assert nav.api_url == url.rstrip("/")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"NAV_PASSWORD": ""}, "NAV_PASSWORD"),
        ({"NAV_API_URL": ""}, "NAV_API_URL must be set"),
        ({"NAV_TIMEOUT": "soon"}, "NAV_TIMEOUT"),
        ({"NAV_EXCHANGE_KEY": "short"}, "16-character"),
        ({"NAV_SOFTWARE_ID": "aos"}, "NAV_SOFTWARE_ID"),
    ],
)
def test_an_incomplete_technical_user_is_refused_with_what_to_set(
    change: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({**BASE, "AOS_ENV": "production", **USER, **URL, **change})


def test_production_refuses_nav_over_plain_http_unless_the_stand_in_is_allowed() -> None:
    env = {**BASE, "AOS_ENV": "production", **USER, "NAV_API_URL": STANDIN_URL}
    with pytest.raises(ConfigError, match="https"):
        load_settings(env)
    assert load_settings({**env, "AOS_ALLOW_LOCAL_NAV": "1"}).nav.api_url == STANDIN_URL
