"""ASVS V6.6: applicants turn on two-step login from the Account page (the console's own
enrolment) and then log in with password and code. Issue 24: the password again before
turning it on or off (1b), a fresh secret per opening of the page, stored only when
confirmed (1c, 6), recovery codes, and an administrator's audited reset."""

from __future__ import annotations

import re

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.models import Account, AuditEntry, RecoveryCode
from tests.webapp.conftest import csrf_from, csrf_token
from tests.webapp.test_admin_auth import next_code, secret_on_page
from tests.webapp.test_portal import (
    PASSWORD,
    WORKSHOP,
    applicant_client,
    console_client,
    log_in,
    make_applicant,
)
from tests.webapp.test_sec_export import confirm_identity

CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def _account(app: Flask) -> Account:
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Account).where(Account.email == WORKSHOP)).one()


def _enrol(app: Flask, client: FlaskClient) -> list[str]:
    """Turn two-step login on from the Account page; the recovery codes it shows."""
    confirm_identity(client)
    page = client.get("/portal/account/two-step?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "<svg" in text and 'id="totp-secret"' in text
    secret = secret_on_page(text)
    token = csrf_from(text)
    wrong = client.post("/portal/account/two-step", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401 and "Tries left: 4" in wrong.get_data(as_text=True)
    done = client.post(
        "/portal/account/two-step",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": token},
    )
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = CODES.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _account(app).totp_secret == secret
    return codes


def _off(client: FlaskClient, password: str, code: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/portal/account")
    data = {"password": password, "code": code, "csrf_token": token}
    return client.post("/portal/account/two-step/off", data=data)


def test_turn_on_from_the_account_page_then_log_in_with_a_code(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    other = applicant_client(app, WORKSHOP)  # another browser, logged in before
    assert "Turn on two-step login" in client.get("/portal/account?lang=en").get_data(as_text=True)
    _enrol(app, client)
    assert client.get("/portal/").status_code == 200  # this session showed the code
    assert other.get("/portal/").status_code == 302  # that one did not
    assert "Recovery codes left: 10." in client.get("/portal/account?lang=en").get_data(
        as_text=True
    )

    fresh = app.test_client()
    step = log_in(fresh, WORKSHOP)
    assert step.status_code == 302 and step.headers["Location"] == "/login/code"
    assert fresh.get("/portal/").status_code == 302  # the password alone opens nothing
    token = csrf_token(fresh, "/login/code")
    bad = fresh.post("/login/code", data={"code": "١٢٣٤٥٦", "csrf_token": token})
    assert bad.status_code == 401
    good = fresh.post("/login/code", data={"code": next_code(app, WORKSHOP), "csrf_token": token})
    assert good.status_code == 302 and good.headers["Location"] == "/portal/"
    assert fresh.get("/portal/").status_code == 200


def test_turning_it_on_needs_the_password_first(app) -> None:  # type: ignore[no-untyped-def]
    """Finding 1b: a borrowed session cannot turn it on with the thief's own authenticator."""
    make_applicant(app, WORKSHOP)
    thief = applicant_client(app, WORKSHOP)
    page = thief.get("/portal/account/two-step")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/portal/account/confirm?next=")
    token = csrf_token(thief, "/portal/account")
    posted = thief.post("/portal/account/two-step", data={"code": "123456", "csrf_token": token})
    assert posted.status_code == 302 and "/portal/account/confirm" in posted.headers["Location"]
    path = "/portal/account/confirm?lang=en"
    wrong = thief.post(path, data={"password": "a guess", "csrf_token": csrf_token(thief, path)})
    assert wrong.status_code == 401 and "The password is not correct." in wrong.get_data(
        as_text=True
    )
    assert thief.get("/portal/account/two-step").status_code == 302
    assert _account(app).totp_enrolled_at is None


def test_opening_the_page_stores_nothing_and_each_opening_is_a_new_secret(app) -> None:  # type: ignore[no-untyped-def]
    """Findings 1c and 6: whoever opened the page first does not hold the owner's secret."""
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    confirm_identity(client)
    first = client.get("/portal/account/two-step").get_data(as_text=True)
    assert _account(app).totp_secret is None
    second = client.get("/portal/account/two-step").get_data(as_text=True)
    assert secret_on_page(first) != secret_on_page(second)
    stale = pyotp.TOTP(secret_on_page(first)).now()
    sent = client.post(
        "/portal/account/two-step", data={"code": stale, "csrf_token": csrf_from(second)}
    )
    assert sent.status_code == 401 and _account(app).totp_enrolled_at is None


def test_turning_it_off_needs_the_password_and_a_code(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _enrol(app, client)
    _off(client, PASSWORD, "000000")
    assert _account(app).totp_enrolled_at is not None
    _off(client, "a wrong password", next_code(app, WORKSHOP))
    account = _account(app)
    assert account.totp_enrolled_at is not None
    assert account.totp_secret and re.fullmatch(r"[A-Z2-7]{32}", account.totp_secret)
    _off(client, PASSWORD, next_code(app, WORKSHOP))
    assert _account(app).totp_secret is None
    assert log_in(app.test_client(), WORKSHOP, PASSWORD).headers["Location"] == "/portal/"
    with app.extensions["aos_sessions"]() as session:
        assert session.scalars(select(RecoveryCode)).all() == []


def test_a_recovery_code_logs_in_once(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    codes = _enrol(app, applicant_client(app, WORKSHOP))
    with app.extensions["aos_sessions"]() as session:
        stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only

    def with_code(code: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        assert log_in(client, WORKSHOP).headers["Location"] == "/login/code"
        assert "Use a recovery code" in client.get("/login/code?lang=en").get_data(as_text=True)
        token = csrf_token(client, "/login/recovery?lang=en")
        return client, client.post("/login/recovery", data={"code": code, "csrf_token": token})

    client, used = with_code(codes[3].upper().replace("-", " "))  # as typed from paper
    assert used.status_code == 302 and client.get("/portal/").status_code == 200
    again_client, again = with_code(codes[3])
    assert again.status_code == 401 and again_client.get("/portal/").status_code == 302
    assert "Recovery codes left: 9." in client.get("/portal/account?lang=en").get_data(as_text=True)


def test_a_password_reset_does_not_skip_the_code(app) -> None:  # type: ignore[no-untyped-def]
    """The policy (SECURITY.md): a reset proves the mailbox only, so the second factor
    stays; a lost phone is a recovery code or an administrator's reset."""
    from webapp.auth.service import reset_token

    make_applicant(app, WORKSHOP)
    _enrol(app, applicant_client(app, WORKSHOP))
    token = reset_token(app.config["SETTINGS"].secret_key, _account(app))
    client = app.test_client()
    path = f"/password/reset/{token}"
    new = "a brand new pass phrase"
    form = {"new_password": new, "confirm_password": new, "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=form).status_code == 302
    step = log_in(app.test_client(), WORKSHOP, new)
    assert step.headers["Location"] == "/login/code"  # the second factor still stands


def test_an_administrator_resets_a_lost_authenticator_audited(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    owner = applicant_client(app, WORKSHOP)
    _enrol(app, owner)
    support = console_client(app, "support@aos.test", "support")
    account = _account(app)
    path = f"/admin/accounts/{account.id}/two-step-reset"
    assert support.post(path).status_code == 400  # no CSRF token
    token = csrf_token(support, "/admin/accounts?lang=en")
    done = support.post(path, data={"csrf_token": token})
    assert done.status_code == 302
    account = _account(app)
    assert account.totp_enrolled_at is None and account.totp_secret is None
    assert owner.get("/portal/").status_code == 302  # every session of the account ended
    assert log_in(app.test_client(), WORKSHOP).headers["Location"] == "/portal/"
    with app.extensions["aos_sessions"]() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.totp_reset")
        ).one()
        assert session.scalars(select(RecoveryCode)).all() == []
    assert entry.actor == "support@aos.test" and entry.detail == WORKSHOP


def test_the_cli_resets_an_applicants_authenticator(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    _enrol(app, applicant_client(app, WORKSHOP))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-two-step", WORKSHOP.upper(), "--by", "ops@aos.test"])
    assert result.exit_code == 0, result.output
    assert "Two-step login of peter@kovacs-auto.hu is off" in result.output
    assert _account(app).totp_enrolled_at is None
    missing = runner.invoke(args=["reset-two-step", "nobody@example.com", "--by", "ops@aos.test"])
    assert missing.exit_code != 0 and "No applicant account" in missing.output
