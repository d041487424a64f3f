"""Issue 24, finding 5: password guesses inside a session are throttled like logins (5 wrong
in 5 minutes per account, then 429 with Retry-After), on Close my account, the password
change and the re-authentication page; and finding 1b's confirmation lasts only a while and
only for the session that gave it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.models import Account
from tests.webapp.conftest import csrf_token
from tests.webapp.test_portal import PASSWORD, WORKSHOP, applicant_client, make_applicant
from tests.webapp.test_sec_export import confirm_identity

NEW = "a brand new pass phrase"


def _close(client: FlaskClient, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/portal/account/close?lang=en")
    return client.post("/portal/account/close", data={"password": password, "csrf_token": token})


def _change(client: FlaskClient, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/portal/account?lang=en")
    data = {"current_password": password, "new_password": NEW, "confirm_password": NEW}
    return client.post("/portal/account", data={**data, "csrf_token": token})


def _confirm(client: FlaskClient, password: str):  # type: ignore[no-untyped-def]
    path = "/portal/account/confirm?lang=en"
    return client.post(path, data={"password": password, "csrf_token": csrf_token(client, path)})


SURFACES: dict[str, Callable[[FlaskClient, str], object]] = {
    "close": _close,
    "password change": _change,
    "re-authentication": _confirm,
}


@pytest.mark.parametrize("surface", SURFACES)
def test_forty_wrong_passwords_in_a_session_then_the_right_one_is_refused(
    app: Flask, surface: str
) -> None:
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    send = SURFACES[surface]
    answers = [send(client, "not my password!").status_code for _ in range(40)]  # type: ignore[attr-defined]
    assert set(answers[:5]) <= {400, 401} and set(answers[5:]) == {429}
    last = send(client, PASSWORD)
    assert last.status_code == 429  # type: ignore[attr-defined]
    assert 0 < int(last.headers["Retry-After"]) <= 300  # type: ignore[attr-defined]
    assert "Too many attempts" in last.get_data(as_text=True)  # type: ignore[attr-defined]
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == WORKSHOP)).one()
    assert account.active  # nothing was done with the right password either


def test_the_limit_is_per_account_across_the_forms(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    for send in (_close, _change, _confirm, _close, _change):
        assert send(client, "not my password!").status_code in (400, 401)
    assert _confirm(client, PASSWORD).status_code == 429


def test_a_right_password_resets_the_count(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    for _ in range(4):
        _confirm(client, "not my password!")
    assert _confirm(client, PASSWORD).status_code == 302
    for _ in range(4):
        assert _confirm(client, "not my password!").status_code == 401


def test_the_confirmation_is_for_this_session_and_a_few_minutes(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from webapp.auth import reauth

    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    confirm_identity(client)
    assert client.get("/portal/account/my-data").status_code == 200
    other = applicant_client(app, WORKSHOP)
    assert other.get("/portal/account/my-data").status_code == 302
    later = reauth.time() + reauth.FRESH_SECONDS + 1
    monkeypatch.setattr(reauth, "time", lambda: later)
    assert client.get("/portal/account/my-data").status_code == 302


def test_with_two_step_on_the_confirmation_needs_a_code_too(app: Flask) -> None:
    from tests.webapp.test_admin_auth import next_code
    from tests.webapp.test_sec_two_step import _enrol

    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _enrol(app, client)
    path = "/portal/account/confirm?lang=en"
    page = client.get(path).get_data(as_text=True)
    assert 'name="code"' in page
    no_code = client.post(path, data={"password": PASSWORD, "csrf_token": csrf_token(client, path)})
    assert no_code.status_code == 401
    assert "The code from the authenticator app is not correct" in no_code.get_data(as_text=True)
    form = {"password": PASSWORD, "code": next_code(app, WORKSHOP)}
    assert (
        client.post(path, data={**form, "csrf_token": csrf_token(client, path)}).status_code == 302
    )
    # Closing the account asks for the code as well.
    token = csrf_token(client, "/portal/account/close?lang=en")
    closing = client.post("/portal/account/close", data={"password": PASSWORD, "csrf_token": token})
    assert closing.status_code == 400


def test_with_two_step_on_the_password_change_needs_a_code_and_keeps_this_session(
    app: Flask,
) -> None:
    from tests.webapp.test_admin_auth import next_code
    from tests.webapp.test_sec_two_step import _enrol

    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    _enrol(app, client)
    assert _change(client, PASSWORD).status_code == 400  # no code
    token = csrf_token(client, "/portal/account?lang=en")
    data = {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW}
    data.update(code=next_code(app, WORKSHOP), csrf_token=token)
    assert client.post("/portal/account", data=data).status_code == 302
    assert client.get("/portal/account").status_code == 200  # still logged in, with the code
