"""Issue 24, finding 3: outsiders cannot lock a reviewer out. Five wrong passwords for the
reviewer's address from five IPs used to make the right password answer 429; a browser
that logged in before (its device cookie) is now counted on its own (OWASP)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import PASSWORD as CONSOLE_PASSWORD
from tests.webapp.test_admin_auth import console_login, make_console_account
from tests.webapp.test_portal import PASSWORD, WORKSHOP, make_applicant

REVIEWER = "anna@aos.test"


def _login(client: FlaskClient, path: str, email: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"{path}?lang=en")
    return client.post(
        path,
        data={"email": email, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": ip},
    )


def _strangers_guess(app: Flask, path: str, email: str, tries: int = 40) -> None:
    for i in range(tries):
        stranger = app.test_client()  # no cookie: a new browser each time, from many IPs
        answer = _login(stranger, path, email, "a wrong guess!!", f"203.0.113.{i % 250 + 1}")
        assert answer.status_code in (401, 429)


def test_strangers_cannot_lock_a_reviewer_out_of_the_console(app: Flask) -> None:
    make_console_account(app, REVIEWER, roles="reviewer")
    reviewer = app.test_client()
    assert console_login(reviewer, app, REVIEWER, CONSOLE_PASSWORD).status_code == 302
    token = csrf_token(reviewer, "/admin/")
    reviewer.post("/admin/logout", data={"csrf_token": token})

    _strangers_guess(app, "/admin/login", REVIEWER)
    # A new browser, even with the right password, waits: the address is under attack.
    newcomer = _login(app.test_client(), "/admin/login", REVIEWER, CONSOLE_PASSWORD, "192.0.2.9")
    assert newcomer.status_code == 429 and "Retry-After" in newcomer.headers
    # The reviewer's own browser, which logged in before, goes on.
    again = _login(reviewer, "/admin/login", REVIEWER, CONSOLE_PASSWORD, "192.0.2.10")
    assert again.status_code == 302 and again.headers["Location"].startswith("/admin/login/code")


def test_a_device_that_guesses_wrong_is_locked_like_anyone(app: Flask) -> None:
    make_console_account(app, REVIEWER, roles="reviewer")
    reviewer = app.test_client()
    assert console_login(reviewer, app, REVIEWER, CONSOLE_PASSWORD).status_code == 302
    answers = [
        _login(reviewer, "/admin/login", REVIEWER, "a wrong guess!!", "192.0.2.10").status_code
        for _ in range(6)
    ]
    assert answers[:5] == [401] * 5 and answers[5] == 429
    # …and that did not lock out the others: a new browser still gets its own 5 tries.
    fresh = _login(app.test_client(), "/admin/login", REVIEWER, "a wrong guess!!", "192.0.2.11")
    assert fresh.status_code == 401


def test_a_cookie_for_another_account_or_a_forged_one_does_not_help(app: Flask) -> None:
    make_console_account(app, REVIEWER, roles="reviewer")
    make_console_account(app, "bela@aos.test", roles="reviewer")
    other = app.test_client()
    assert console_login(other, app, "bela@aos.test", CONSOLE_PASSWORD).status_code == 302
    _strangers_guess(app, "/admin/login", REVIEWER, tries=6)
    assert _login(other, "/admin/login", REVIEWER, CONSOLE_PASSWORD, "192.0.2.9").status_code == 429
    forged = app.test_client()
    forged.set_cookie("aos-device", "W1siYWJjIiwiZGVmIl1d.forged")
    assert (
        _login(forged, "/admin/login", REVIEWER, CONSOLE_PASSWORD, "192.0.2.9").status_code == 429
    )


@pytest.mark.parametrize("secure", [False, True])
def test_the_device_cookie_is_httponly_and_host_only(app_env, make_app, secure: bool) -> None:  # type: ignore[no-untyped-def]
    env = {**app_env, "PUBLIC_BASE_URL": "https://aos.test" if secure else "http://aos.test"}
    app = make_app(env)
    make_applicant(app, WORKSHOP)
    client = app.test_client()
    base = "https://aos.test" if secure else "http://aos.test"
    token = csrf_token(client, f"{base}/login?lang=en")
    answer = client.post(
        f"{base}/login",
        data={"email": WORKSHOP, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": f"{base}/login"},  # Flask-WTF's strict check over HTTPS
    )
    assert answer.status_code == 302
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if "device" in h)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert WORKSHOP not in cookie and "kovacs" not in cookie
    if secure:
        assert cookie.startswith("__Host-aos-device=") and "Secure" in cookie
        assert "Domain=" not in cookie


def test_applicants_get_the_same_protection(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    owner = app.test_client()
    assert _login(owner, "/login", WORKSHOP, PASSWORD, "192.0.2.10").status_code == 302
    _strangers_guess(app, "/login", WORKSHOP, tries=10)
    assert _login(owner, "/login", WORKSHOP, PASSWORD, "192.0.2.10").status_code == 302


def test_the_operator_recovers_a_console_account_and_its_lockout(app: Flask) -> None:
    """The console's recovery path: `create-admin` on an existing account sets a new
    password, forgets strangers' failures on the address (audited); --reset-totp also
    makes the next login enrol a new authenticator."""
    from sqlalchemy import select

    from core.models import AuditEntry

    make_console_account(app, REVIEWER, roles="reviewer")
    _strangers_guess(app, "/admin/login", REVIEWER, tries=6)
    new = "the reviewer's new password"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", REVIEWER, "--password-stdin", "--role", "reviewer", "--reset-totp"],
        input=new + "\n",
    )
    assert result.exit_code == 0, result.output
    answer = _login(app.test_client(), "/admin/login", REVIEWER, new, "192.0.2.9")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/admin/login/enrol")
    with app.extensions["aos_sessions"]() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.reset")).one()
    assert entry.actor == "cli" and entry.detail == f"{REVIEWER}: password and authenticator"
