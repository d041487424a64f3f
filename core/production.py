"""What a production process refuses to start with.

AOS_ENV is "production" unless it says "development" (what `make run` sets) or "testing"
(the test suite); any other value counts as production. There the web app and the worker
refuse, each with one line on stderr and exit status 2:

- no SECRET_KEY (core/config.py);
- a SQLite DATABASE_URL: one file cannot be shared by several web and worker containers;
- a malformed VIES_REQUESTER_VAT (python-stdnum): VIES would refuse every check with
  INVALID_REQUESTER_INFO;
- VIES_URL pointing at the local VIES stand-in: a loopback or `localhost` host, the
  compose service `vies-standin`, or the stand-in's port 8089. AOS_ALLOW_LOCAL_VIES=1
  allows it for a demonstration (the compose `dev` profile);
- STRIPE_API_BASE pointing at the local Stripe stand-in (payments/standin.py): a loopback or
  `localhost` host, the compose service `stripe-standin`, or the stand-in's port 8090;
- no STRIPE_SECRET_KEY or no STRIPE_WEBHOOK_SECRET: no checkout could be made, or no
  payment's webhook could be verified;
- a SECRET_KEY shorter than 32 characters (it signs sessions and every emailed link);
- /metrics without METRICS_TOKEN: it would be open to anyone who reaches the site. Set a
  token, or METRICS_ENABLED=0 and read the numbers elsewhere;
- no INVOICE_SERIES or seller data (SELLER_NAME, SELLER_ADDRESS, SELLER_VAT_NUMBER,
  SELLER_BANK_ACCOUNT, SELLER_REGISTRATION_NUMBER), a series that is not 1-10 capital letters
  or digits, or a SELLER_VAT_NUMBER that is not a Hungarian adószám (12345678-1-23): every
  invoice prints them (Áfa tv. 169 §) and none can be corrected once issued.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from stdnum.hu import anum

from core.config import ConfigError, InvoiceSettings, Settings, load_settings
from vies.vatnumber import requester_vat_problem

NON_PRODUCTION = frozenset({"development", "testing"})
STANDIN_HOSTS = frozenset({"localhost", "vies-standin"})
STANDIN_PORT = 8089
STRIPE_STANDIN_HOSTS = frozenset({"localhost", "stripe-standin"})
STRIPE_STANDIN_PORT = 8090
MIN_SECRET_KEY = 32
SERIES = re.compile(r"^[A-Z0-9]{1,10}$")
ADOSZAM = re.compile(r"^(\d{8})-[1-5]-\d{2}$")  # törzsszám-áfakód-megyekód
SELLER_SETTINGS = {
    "SELLER_NAME": "seller_name",
    "SELLER_ADDRESS": "seller_address",
    "SELLER_VAT_NUMBER": "seller_vat_number",
    "SELLER_BANK_ACCOUNT": "seller_bank_account",
    "SELLER_REGISTRATION_NUMBER": "seller_registration_number",
}


class ProductionRefused(ConfigError):
    """The settings are not safe for production."""


def is_production(settings: Settings) -> bool:
    return settings.environment not in NON_PRODUCTION


def _is_standin(
    url: str, hosts: frozenset[str] = STANDIN_HOSTS, standin_port: int = STANDIN_PORT
) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if host in hosts or host.endswith(".localhost") or port == standin_port:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def problems(settings: Settings) -> list[str]:
    """Why these settings may not run in production (empty outside production)."""
    if not is_production(settings):
        return []
    found = []
    if settings.database_url.lower().startswith("sqlite"):
        found.append(
            "DATABASE_URL is SQLite; production needs PostgreSQL "
            "(postgresql+psycopg://user:password@host:5432/db)."
        )
    requester = requester_vat_problem(settings.vies_requester_vat)
    if requester:
        found.append(requester)
    if _is_standin(settings.vies_url) and not settings.allow_local_vies:
        found.append(
            f"VIES_URL {settings.vies_url} is the local VIES stand-in; use the EU service "
            "(https://ec.europa.eu/taxation_customs/vies/rest-api) or set "
            "AOS_ALLOW_LOCAL_VIES=1 for a demonstration."
        )
    found += _stripe_problems(settings)
    if len(settings.secret_key) < MIN_SECRET_KEY:
        found.append(
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY} characters; use e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if settings.metrics_enabled and not settings.metrics_token:
        found.append(
            "METRICS_TOKEN is not set, so /metrics would be open to anyone; set METRICS_TOKEN "
            "(a long random string) or METRICS_ENABLED=0."
        )
    found.extend(invoice_problems(settings.invoicing))
    return found


def invoice_problems(invoicing: InvoiceSettings) -> list[str]:
    """What stops the invoice settings from printing a lawful invoice."""
    found = []
    missing = [name for name, attr in SELLER_SETTINGS.items() if not getattr(invoicing, attr)]
    if not invoicing.series:
        missing.insert(0, "INVOICE_SERIES")
    elif not SERIES.match(invoicing.series):
        found.append(f"INVOICE_SERIES {invoicing.series!r} must be 1-10 capital letters or digits.")
    if missing:
        found.append(f'Invoices need {", ".join(missing)}; set them (README "Invoices").')
    number = ADOSZAM.match(invoicing.seller_vat_number)
    if invoicing.seller_vat_number and not (number and anum.is_valid(number.group(1))):
        found.append(
            f"SELLER_VAT_NUMBER {invoicing.seller_vat_number!r} is not a Hungarian adószám "
            "(12345678-1-23 with a valid check digit)."
        )
    return found


def _stripe_problems(settings: Settings) -> list[str]:
    found = []
    if _is_standin(settings.stripe_api_base, STRIPE_STANDIN_HOSTS, STRIPE_STANDIN_PORT):
        found.append(
            f"STRIPE_API_BASE {settings.stripe_api_base} is the local Stripe stand-in; use "
            "https://api.stripe.com."
        )
    if not settings.stripe_secret_key:
        found.append("STRIPE_SECRET_KEY is not set; take it from the Stripe Dashboard.")
    if not settings.stripe_webhook_secret:
        found.append(
            "STRIPE_WEBHOOK_SECRET is not set, so no payment webhook could be verified; take "
            "the endpoint's signing secret (whsec_...) from the Stripe Dashboard."
        )
    return found


def check(settings: Settings) -> None:
    """Raise ProductionRefused with every reason, on one line."""
    found = problems(settings)
    if found:
        raise ProductionRefused(" ".join(found))


def startup_settings(process: str, env: Mapping[str, str] | None = None) -> Settings:
    """The settings of an entry point (gunicorn, the worker, the flask command); a refusal
    ends the process with one line on stderr and exit status 2."""
    env = os.environ if env is None else env
    try:
        settings = load_settings(env)
        check(settings)
    except ConfigError as err:
        environment = env.get("AOS_ENV", "production").strip().lower() or "production"
        print(
            f"{process}: refusing to start (AOS_ENV={environment}): {err}",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(2) from None
    return settings
