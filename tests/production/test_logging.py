"""Structured logs: one JSON object a line, with the registration id."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from core.config import ConfigError, load_settings
from core.logging_setup import JsonFormatter, RedactSecretLinks, env_log_format, logging_dict

BASE = {"SECRET_KEY": "k"}


def _record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("aos.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_line_with_its_extras() -> None:
    line = JsonFormatter().format(_record("hello %s", "wörld", registration_id="ab12", n=3))
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "hello wörld" and data["level"] == "WARNING"
    assert data["logger"] == "aos.test" and data["registration_id"] == "ab12" and data["n"] == 3
    assert data["time"].endswith("+00:00") and isinstance(data["pid"], int)


def test_the_registration_id_comes_from_the_temporal_context() -> None:
    activity = {"activity_type": "check_vat", "workflow_id": "registration-9f3a", "attempt": 2}
    data = json.loads(JsonFormatter().format(_record("x", temporal_activity=activity)))
    assert data["registration_id"] == "9f3a" and data["temporal_activity"]["attempt"] == 2
    workflow = {"workflow_id": "registration-77aa", "run_id": "r"}
    data = json.loads(JsonFormatter().format(_record("x", temporal_workflow=workflow)))
    assert data["registration_id"] == "77aa"
    mail = {"workflow_id": "outbox-mail-1"}
    assert "registration_id" not in json.loads(
        JsonFormatter().format(_record("x", temporal_workflow=mail))
    )


def test_exceptions_stay_on_the_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]


def test_gunicorn_access_lines_carry_the_request() -> None:
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/readyz", "s": "200", "B": 42, "M": 3, "a": "x"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (), None)
    record.args = atoms
    data = json.loads(JsonFormatter().format(record))
    assert data["http"]["path"] == "/readyz" and data["http"]["status"] == "200"


TOKEN = "IjI4MGI5MDJlZjljOTdjNWEi.3SifBDr7RmWYxeix9TtxLMONtWc"


def test_no_log_line_carries_a_secret_links_token() -> None:
    """Issue 24, finding 1a: gunicorn's access line (request line, path, Referer) and any
    message naming a signed link keep the path, not the token."""
    atoms = {
        "h": "10.0.0.1",
        "r": f"POST /status/{TOKEN}/resend HTTP/1.1",
        "U": f"/password/reset/{TOKEN}",
        "f": f"https://aos.test/confirm/{TOKEN}",
        "s": "200",
        "a": "x",
    }
    access = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s "%(f)s"', (), None
    )
    access.args = atoms
    plain = _record("mailed %s", f"https://aos.test/changes/{TOKEN}")
    restart = _record(f"opened /restart/{TOKEN}?lang=hu")
    for record in (access, plain, restart):
        assert RedactSecretLinks().filter(record)
        for formatter in (JsonFormatter(), logging.Formatter("%(message)s")):
            line = formatter.format(record)
            assert TOKEN not in line and "…" in line, line
    assert (
        access.getMessage()
        == '10.0.0.1 "POST /status/…/resend HTTP/1.1" 200 "https://aos.test/confirm/…"'
    )
    for fmt in ("json", "text"):
        assert logging_dict(fmt)["handlers"]["console"]["filters"] == ["secret_links"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "json"),
        ({"AOS_ENV": "production"}, "json"),
        ({"AOS_ENV": "development"}, "text"),
        ({"AOS_ENV": "testing"}, "text"),
        ({"AOS_ENV": "development", "LOG_FORMAT": "json"}, "json"),
        ({"LOG_FORMAT": "TEXT"}, "text"),
    ],
)
def test_log_format_defaults(env: dict[str, str], expected: str) -> None:
    assert load_settings({**BASE, **env}).log_format == expected
    assert env_log_format({**BASE, **env}) == expected


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_settings({**BASE, "LOG_FORMAT": "xml"})
