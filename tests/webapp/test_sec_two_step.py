"""ASVS V6.6: applicants turn on two-step login from the Account page (the console's own
enrolment) and then log in with password and code."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import Account
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import next_code
from tests.webapp.test_portal import PASSWORD, WORKSHOP, applicant_client, log_in, make_applicant


def _enrol(app, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/portal/account/two-step?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "<svg" in text and 'id="totp-secret"' in text
    token = csrf_token(client, "/portal/account/two-step")
    wrong = client.post("/portal/account/two-step", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401 and "Tries left: 4" in wrong.get_data(as_text=True)
    done = client.post(
        "/portal/account/two-step",
        data={"code": next_code(app, WORKSHOP), "csrf_token": token},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/portal/account"


def test_turn_on_from_the_account_page_then_log_in_with_a_code(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    other = applicant_client(app, WORKSHOP)  # another browser, logged in before
    assert "Turn on two-step login" in client.get("/portal/account?lang=en").get_data(as_text=True)
    _enrol(app, client)
    assert client.get("/portal/").status_code == 200  # this session showed the code
    assert other.get("/portal/").status_code == 302  # that one did not

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


def test_turning_it_off_needs_a_code(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _enrol(app, client)
    token = csrf_token(client, "/portal/account")
    client.post("/portal/account/two-step/off", data={"code": "000000", "csrf_token": token})
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == WORKSHOP)).one()
        assert account.totp_enrolled_at is not None
        secret = account.totp_secret
    assert secret and re.fullmatch(r"[A-Z2-7]{32}", secret)
    code = next_code(app, WORKSHOP)
    client.post("/portal/account/two-step/off", data={"code": code, "csrf_token": token})
    assert log_in(app.test_client(), WORKSHOP, PASSWORD).headers["Location"] == "/portal/"


def test_a_password_reset_does_not_skip_the_code(app) -> None:  # type: ignore[no-untyped-def]
    from webapp.auth.service import reset_token

    make_applicant(app, WORKSHOP)
    _enrol(app, applicant_client(app, WORKSHOP))
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == WORKSHOP)).one()
        token = reset_token(app.config["SETTINGS"].secret_key, account)
    client = app.test_client()
    path = f"/password/reset/{token}"
    new = "a brand new pass phrase"
    form = {"new_password": new, "confirm_password": new, "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=form).status_code == 302
    step = log_in(app.test_client(), WORKSHOP, new)
    assert step.headers["Location"] == "/login/code"  # the second factor still stands
