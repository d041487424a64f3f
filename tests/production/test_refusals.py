"""In production (the default AOS_ENV) the web app and the worker refuse to start without
SECRET_KEY, with SQLite, or with the local VIES stand-in: one line, exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.config import load_settings
from core.production import ProductionRefused, problems
from tests.production.conftest import BIN, REPO, SELLER, child_env
from webapp import create_app

EU_VIES = "https://ec.europa.eu/taxation_customs/vies/rest-api"
SAFE = {
    "SECRET_KEY": "a-production-secret-key-of-some-length",
    "DATABASE_URL": "postgresql+psycopg://aos:pw@db.internal:5432/aos",
    "VIES_URL": EU_VIES,
    "METRICS_TOKEN": "a-metrics-token",
    "STRIPE_SECRET_KEY": "sk_live_a-production-key",
    "STRIPE_WEBHOOK_SECRET": "whsec_a-production-secret",
    **SELLER,
}


def _settings(**changes: str):  # type: ignore[no-untyped-def]
    return load_settings({**SAFE, **changes})


def test_safe_production_settings_pass() -> None:
    assert problems(_settings()) == []
    assert problems(_settings(AOS_ENV="production")) == []


@pytest.mark.parametrize(
    "vies_url",
    [
        "http://127.0.0.1:8089",
        "http://localhost:8089/",
        "http://localhost",
        "http://[::1]:9000",
        "http://0.0.0.0:8089",
        "http://vies-standin:8089",
        "http://vies.internal:8089",
        "http://app.localhost/vies",
    ],
)
def test_the_vies_standin_is_refused(vies_url: str) -> None:
    found = problems(_settings(VIES_URL=vies_url))
    assert len(found) == 1 and "VIES stand-in" in found[0] and "AOS_ALLOW_LOCAL_VIES" in found[0]
    assert problems(_settings(VIES_URL=vies_url, AOS_ALLOW_LOCAL_VIES="1")) == []


@pytest.mark.parametrize(
    ("requester", "reason"),
    [
        ("12345676", "country prefix"),
        ("US12345676", "country prefix"),
        ("HU12345670", "not a valid HU VAT number"),
        ("HU1234", "not a valid HU VAT number"),
    ],
)
def test_malformed_requester_vat_is_refused(requester: str, reason: str) -> None:
    found = problems(_settings(VIES_REQUESTER_VAT=requester))
    assert len(found) == 1 and "VIES_REQUESTER_VAT" in found[0] and reason in found[0]


@pytest.mark.parametrize("requester", ["HU12345676", "hu 1234 5676", "EL049544099", "ATU98523534"])
def test_well_formed_requester_vat_passes(requester: str) -> None:
    assert problems(_settings(VIES_REQUESTER_VAT=requester)) == []


def test_sqlite_is_refused() -> None:
    found = problems(_settings(DATABASE_URL="sqlite:///var/aos.db"))
    assert len(found) == 1 and "SQLite" in found[0]


@pytest.mark.parametrize("environment", ["development", "testing"])
def test_development_and_tests_are_not_production(environment: str) -> None:
    settings = _settings(
        AOS_ENV=environment, DATABASE_URL="sqlite:///x.db", VIES_URL="http://127.0.0.1:8089"
    )
    assert problems(settings) == []


def test_create_app_with_unsafe_settings_raises() -> None:
    with pytest.raises(ProductionRefused, match="SQLite"):
        create_app(_settings(DATABASE_URL="sqlite:///x.db"))


CASES = {
    "no SECRET_KEY": ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
    "SQLite": ({"DATABASE_URL": "sqlite:////tmp/aos-refused.db"}, "DATABASE_URL is SQLite"),
    "VIES stand-in": ({"VIES_URL": "http://127.0.0.1:8089"}, "local VIES stand-in"),
    "requester VAT": ({"VIES_REQUESTER_VAT": "HU12345670"}, "VIES_REQUESTER_VAT"),
    "short SECRET_KEY": ({"SECRET_KEY": "x" * 31}, "shorter than 32 characters"),
    "open /metrics": ({"METRICS_TOKEN": ""}, "METRICS_TOKEN is not set"),
    "Stripe stand-in": ({"STRIPE_API_BASE": "http://127.0.0.1:8090"}, "local Stripe stand-in"),
    "no Stripe key": ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY is not set"),
    "no webhook secret": ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET is not set"),
}
COMMANDS = {
    "worker": [sys.executable, "worker.py"],
    "gunicorn": [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
    "flask": [sys.executable, "-m", "flask", "--app", "webapp", "init-db"],
}


@pytest.mark.parametrize("process", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_processes_refuse_with_one_line_and_exit_2(process: str, case: str) -> None:
    changes, reason = CASES[case]
    env = child_env(**{**SAFE, **changes})  # AOS_ENV unset: production is the default
    done = subprocess.run(
        COMMANDS[process], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    refusals = [line for line in done.stderr.splitlines() if "refusing to start" in line]
    assert len(refusals) == 1, done.stderr
    assert reason in refusals[0] and "AOS_ENV=production" in refusals[0]
    assert "Traceback" not in done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == refusals[0]


def test_secret_key_of_32_characters_and_metrics_switched_off_pass() -> None:
    assert problems(_settings(SECRET_KEY="x" * 32)) == []
    assert problems(_settings(METRICS_TOKEN="", METRICS_ENABLED="0")) == []


def test_metrics_switched_off_answers_404(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    client = make_app({**app_env, "METRICS_ENABLED": "0"}).test_client()
    assert client.get("/metrics").status_code == 404


def test_secrets_are_not_in_the_settings_repr() -> None:
    settings = _settings(
        SECRET_KEY="s3cret-key-value-that-is-long-enough-xx",
        MAIL_PASSWORD="mail-pw-value",
        METRICS_TOKEN="metrics-token-value",
        DATABASE_URL="postgresql+psycopg://aos:db-pw-value@db:5432/aos",
        STRIPE_SECRET_KEY="sk_live_key-value",
        STRIPE_WEBHOOK_SECRET="whsec_secret-value",
    )
    shown = repr(settings)
    for secret in (
        "s3cret-key-value", "mail-pw-value", "metrics-token-value", "db-pw-value",
        "sk_live_key-value", "whsec_secret-value",
    ):  # fmt: skip
        assert secret not in shown
