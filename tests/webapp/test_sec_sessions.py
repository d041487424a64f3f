"""ASVS V7: server-side sessions that logout, "Log out everywhere" and the idle and absolute
limits end at once, and a login that rotates the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.conftest import csrf_token
from tests.webapp.test_portal import (
    WORKSHOP,
    applicant_client,
    console_client,
    log_in,
    make_applicant,
)
from webapp.auth.store import LoginSession
from webapp.registration.drafts import SESSION_KEY as DRAFT_KEY


def _copy(app, client: FlaskClient) -> FlaskClient:  # type: ignore[no-untyped-def]
    """Another browser holding a copy of this one's session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value)
    return copy


def _shift(app, **deltas: timedelta) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"].begin() as session:
        for record in session.scalars(select(LoginSession)):
            for name, delta in deltas.items():
                setattr(record, name, getattr(record, name) - delta)


def test_a_copied_cookie_is_dead_after_logout(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    stolen = _copy(app, client)
    assert stolen.get("/portal/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/account")})
    assert stolen.get("/portal/").status_code == 302


def test_a_copied_console_cookie_is_dead_after_logout(app) -> None:  # type: ignore[no-untyped-def]
    admin = console_client(app, "admin@aos.test", "reviewer,support")
    stolen = _copy(app, admin)
    assert stolen.get("/admin/accounts").status_code == 200
    admin.post("/admin/logout", data={"csrf_token": csrf_token(admin, "/admin/accounts")})
    assert stolen.get("/admin/accounts").status_code == 302


@pytest.mark.parametrize(
    "field,delta,alive",
    [
        ("last_seen_at", timedelta(hours=1, minutes=59), True),
        ("last_seen_at", timedelta(hours=2, minutes=1), False),
        ("created_at", timedelta(days=14, minutes=1), False),
    ],
)
def test_portal_idle_and_absolute_limits(app, field: str, delta: timedelta, alive: bool) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _shift(app, **{field: delta})
    assert client.get("/portal/").status_code == (200 if alive else 302)


@pytest.mark.parametrize(
    "field,delta,alive",
    [
        ("last_seen_at", timedelta(minutes=29), True),
        ("last_seen_at", timedelta(minutes=31), False),
        ("created_at", timedelta(hours=12, minutes=1), False),
    ],
)
def test_console_idle_and_absolute_limits(app, field: str, delta: timedelta, alive: bool) -> None:  # type: ignore[no-untyped-def]
    admin = console_client(app, "admin@aos.test", "reviewer,support")
    _shift(app, **{field: delta})
    assert admin.get("/admin/accounts").status_code == (200 if alive else 302)


def test_the_limits_are_configurable(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "PORTAL_SESSION_IDLE": "10m", "CONSOLE_SESSION_MAX": "1h"})
    settings = app.config["SETTINGS"]
    assert (settings.portal_session_idle, settings.console_session_max) == (600, 3600)
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _shift(app, last_seen_at=timedelta(minutes=11))
    assert client.get("/portal/").status_code == 302


def test_login_rotates_the_session(app, client) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    before = csrf_token(client, "/login?lang=en")
    with client.session_transaction() as session:
        session[DRAFT_KEY] = "a-draft-started-before-the-login"
    assert log_in(client, WORKSHOP).status_code == 302
    with client.session_transaction() as session:
        assert DRAFT_KEY not in session
        assert session.get("csrf_token") is None or session["csrf_token"] != before
        assert session["lang"] == "en"  # the language stays


def test_account_page_lists_sessions_and_logs_out_everywhere(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    phone = app.test_client()
    phone.environ_base.update(
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile Safari/537.36",
        REMOTE_ADDR="203.0.113.9",
    )
    assert log_in(phone, WORKSHOP).status_code == 302
    laptop = app.test_client()
    laptop.environ_base.update(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/121.0")
    assert log_in(laptop, WORKSHOP).status_code == 302
    page = laptop.get("/portal/account?lang=en").get_data(as_text=True)
    assert "Chrome · Android" in page and "203.0.113.9" in page
    assert "Firefox · Windows" in page and "(this device)" in page
    assert "Log out everywhere" in page
    token = csrf_token(laptop, "/portal/account")
    done = laptop.post("/portal/account/logout-everywhere", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert phone.get("/portal/").status_code == 302
    assert laptop.get("/portal/").status_code == 302


def test_log_out_everywhere_needs_the_csrf_token(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    assert client.post("/portal/account/logout-everywhere").status_code == 400
    assert client.get("/portal/").status_code == 200


def test_an_operator_can_end_the_sessions_of_one_account_or_all(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    admin = console_client(app, "admin@aos.test", "reviewer,support")
    runner = app.test_cli_runner()
    one = runner.invoke(args=["end-sessions", WORKSHOP])
    assert one.exit_code == 0 and "Ended 1 session(s) of 1 account(s)." in one.output
    assert client.get("/portal/").status_code == 302
    assert admin.get("/admin/accounts").status_code == 200
    everyone = runner.invoke(args=["end-sessions", "--all"])
    assert everyone.exit_code == 0
    assert admin.get("/admin/accounts").status_code == 302
    assert runner.invoke(args=["end-sessions", "nobody@example.hu"]).exit_code != 0
