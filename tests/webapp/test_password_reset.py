"""Forgotten password: a link by email, valid one hour, usable once, ending every session."""

from __future__ import annotations

import re
import time

import itsdangerous.timed
from sqlalchemy import select

from core.models import Account, OutboxMessage
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import make_console_account
from tests.webapp.test_portal import (
    PASSWORD,
    WORKSHOP,
    applicant_client,
    log_in,
    make_applicant,
)
from webapp.auth.service import account_for_token, reset_token

NEW = "a completely new password"


def ask(client, email: str, **environ: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/password/forgot?lang=en")
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": token},
        environ_base=environ,
    )


def reset_path(mailbox, email: str, count: int = 1) -> str:  # type: ignore[no-untyped-def]
    mail = mailbox.wait_for(email, count)[0]
    assert mail.subject == "Set a new password for AOS"
    return re.search(r"http://aos\.test(/password/reset/[\w.\-]+)", mail.text).group(1)


def set_password(client, path: str, password: str = NEW):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/password/forgot")  # the reset page has none once invalid
    data = {"new_password": password, "confirm_password": password, "csrf_token": token}
    return client.post(path, data=data)


def test_reset_link_works_once_and_ends_every_session(web, mailbox):
    make_applicant(web, WORKSHOP)
    elsewhere = applicant_client(web, WORKSHOP)
    client = web.test_client()
    answer = ask(client, WORKSHOP.upper())
    assert answer.status_code == 200 and "Check your email" in answer.get_data(as_text=True)
    path = reset_path(mailbox, WORKSHOP)

    opened = client.get(path)  # opening the link (or a mail scanner) changes nothing
    assert opened.status_code == 200 and opened.headers["Referrer-Policy"] == "no-referrer"
    assert log_in(web.test_client(), WORKSHOP, PASSWORD).status_code == 302
    assert set_password(client, path, "short").status_code == 400

    done = set_password(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert elsewhere.get("/portal/").status_code == 302  # every session has ended
    assert log_in(web.test_client(), WORKSHOP, PASSWORD).status_code == 401
    assert log_in(web.test_client(), WORKSHOP, NEW).status_code == 302

    again = client.get(path)  # used once: the password it was made for has changed
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert set_password(client, path, "yet another new password").status_code == 400
    assert log_in(web.test_client(), WORKSHOP, NEW).status_code == 302


def test_the_link_expires_after_one_hour(web, mailbox, monkeypatch):
    make_applicant(web, WORKSHOP)
    issued = int(time.time()) - 3601
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _s: issued)
        assert ask(web.test_client(), WORKSHOP).status_code == 200
    path = reset_path(mailbox, WORKSHOP)
    client = web.test_client()
    assert client.get(path).status_code == 400
    assert set_password(client, path).status_code == 400
    assert log_in(web.test_client(), WORKSHOP, PASSWORD).status_code == 302

    secret = web.config["SETTINGS"].secret_key
    with web.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account)).one()
        token = reset_token(secret, account)
        assert account_for_token(session, secret, token) is account
        assert account_for_token(session, secret, token, max_age=-1) is None
        assert account_for_token(session, secret, token[:-2] + "xx") is None
        assert account_for_token(session, "another secret", token) is None


def test_the_same_answer_whether_or_not_the_address_is_known(web, mailbox):
    make_applicant(web, WORKSHOP)
    make_console_account(web, "admin@example.hu")
    unknown = ask(web.test_client(), "nobody@example.hu").get_data(as_text=True)
    console = ask(web.test_client(), "admin@example.hu").get_data(as_text=True)
    known = ask(web.test_client(), WORKSHOP).get_data(as_text=True)

    def strip(page: str, email: str) -> str:
        return re.sub(r'value="[^"]+"', "", page.replace(email, "EMAIL"))

    assert strip(unknown, "nobody@example.hu") == strip(known, WORKSHOP)
    assert strip(console, "admin@example.hu") == strip(known, WORKSHOP)
    reset_path(mailbox, WORKSHOP)
    with web.extensions["aos_sessions"]() as session:
        sent = {m.recipient: m.kind for m in session.scalars(select(OutboxMessage))}
    # The same work for each (one message through the outbox); only the known applicant
    # gets a link, the others hear that no account uses their address.
    assert sent == {
        WORKSHOP: "password_reset",
        "nobody@example.hu": "password_reset_unknown",
        "admin@example.hu": "password_reset_unknown",
    }
    [notice] = mailbox.wait_for("nobody@example.hu")
    assert "/password/reset/" not in notice.text and "no active AOS account" in notice.text


def test_at_most_three_emails_per_address_and_hour_known_or_not(web, mailbox):
    make_applicant(web, WORKSHOP)
    for email in (WORKSHOP, "nobody@example.hu"):
        for n in range(3):
            assert ask(web.test_client(), email, REMOTE_ADDR=f"192.0.2.{n}").status_code == 200
        refused = ask(web.test_client(), email, REMOTE_ADDR="192.0.2.9")
        assert refused.status_code == 429
        assert "Too many requests for a new password" in refused.get_data(as_text=True)
    assert len(mailbox.wait_for(WORKSHOP, 3)) == 3


def test_at_most_ten_requests_per_ip_and_hour(web):
    client = web.test_client()
    for n in range(10):
        assert ask(client, f"someone{n}@example.hu").status_code == 200
    assert ask(client, "someone-else@example.hu").status_code == 429
