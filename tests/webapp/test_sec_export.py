"""Issue 24, findings 1a and 3: Download my data holds no live secret and names no reviewer.

The journey runs on the real dev server and worker: register, confirm, a round of changes
asked by a reviewer, the account, a password-reset request; then every string in the
export and in the captured logs that looks like a token is tried against every kind of
token the portal accepts."""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core import tokens
from core.models import Account, AuditEntry, OutboxMessage, SupportMessage, SupportRequest
from core.passwords import hash_password
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import make_console_account
from tests.webapp.test_admin_decisions import APPLICANT, _wait_status, in_review
from tests.webapp.test_portal import PASSWORD, WORKSHOP, applicant_client, make_applicant
from tests.workflows.helpers import make_registration
from webapp.auth.service import account_for_token
from workflows import contracts as c

# Signed tokens are URL-safe base64 with dots; anything shorter opens nothing.
CANDIDATE = re.compile(r"[A-Za-z0-9_\-.]{20,}")
REVIEWER = "anna.reviewer@aos.test"
# Loggers of the suite's stand-ins, not of the portal: the SMTP server the mail goes to.
TEST_SERVERS = ("mail.log",)


def confirm_identity(client: FlaskClient, password: str = PASSWORD, code: str = "") -> None:
    """The re-authentication step before a sensitive action (password, code when on)."""
    path = "/portal/account/confirm?lang=en"
    form = {"password": password, "code": code, "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=form).status_code == 302


def download(client: FlaskClient, password: str = PASSWORD) -> str:
    confirm_identity(client, password)
    response = client.get("/portal/account/my-data?lang=en")
    assert response.status_code == 200, response.headers.get("Location")
    return response.get_data(as_text=True)


def live_tokens(app: Flask, text: str) -> set[str]:
    """Every substring of `text` that some secret link of the portal would accept."""
    secret = app.config["SETTINGS"].secret_key
    found = set()
    with app.extensions["aos_sessions"]() as session:
        for candidate in set(CANDIDATE.findall(text)):
            if (
                tokens.registration_from_confirmation(secret, candidate)
                or tokens.registration_from_status(secret, candidate)
                or account_for_token(session, secret, candidate) is not None
            ):
                found.add(candidate)
    return found


def test_a_whole_journey_leaves_no_live_token_in_the_export_or_the_logs(
    web, mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reviewer = make_console_account(web, REVIEWER, roles="reviewer")
    reg = in_review(web, mailbox)
    with web.extensions["aos_sessions"]() as session:
        reviewer_id = session.scalars(select(Account.id).where(Account.email == REVIEWER)).one()
    web.extensions["aos_temporal"].ask_for_changes(
        reg.id,
        c.ChangesRequest(
            groups=["contact_person"], message="Please check.", requested_by=str(reviewer_id)
        ),
        update_id=f"changes-{uuid.uuid4().hex}",
    )
    _wait_status(web, "CHANGES_REQUESTED")
    with web.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email=APPLICANT,
                role="applicant",
                password_hash=hash_password(PASSWORD),
                company_name=reg.company_name,
                user_type=reg.user_type,
                registration_id=reg.id,
            )
        )
    client = applicant_client(web, APPLICANT)
    anonymous = web.test_client()
    token = csrf_token(anonymous, "/password/forgot?lang=en")
    anonymous.post("/password/forgot", data={"email": APPLICANT, "csrf_token": token})
    with web.extensions["aos_sessions"]() as session:
        queued = session.scalars(select(OutboxMessage.context)).all()
    # The reset link is live in the database: the export must not carry it.
    assert any("reset_url" in context for context in queued)

    text = download(client)
    data = json.loads(text)
    assert live_tokens(web, text) == set()
    kinds = [e["kind"] for e in data["emails_queued"]]
    assert "password_reset" in kinds  # what was sent is still listed
    reset = next(e for e in data["emails_queued"] if e["kind"] == "password_reset")
    assert reset["context"]["reset_url"] == "(link not included)"
    # Finding 3: the reviewer's address is nowhere in the export, the role is.
    assert reviewer.email not in text
    assert "reviewers@aos.test" not in text  # ADMIN_NOTIFY_EMAILS got "review requested"
    notices = [e for e in data["emails_sent"] if e["kind"] == "review_requested"]
    assert notices and {e["recipient"] for e in notices} == {"an administrator"}
    assert data["change_requests"][0]["requested_by"] == "an administrator"
    for record in caplog.records:
        if record.name.startswith(TEST_SERVERS):
            continue  # the suite's own mail server logs what it receives, as a mailbox would
        assert live_tokens(web, record.getMessage()) == set(), (
            record.name,
            record.getMessage()[:300],
        )


def test_the_export_names_reviewers_by_their_role_in_the_readers_language(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    with app.extensions["aos_sessions"].begin() as session:
        account = session.scalars(select(Account).where(Account.email == WORKSHOP)).one()
        session.add_all(
            [
                AuditEntry(
                    actor=REVIEWER,
                    action="registration.approved",
                    detail="",
                    registration_id=account.registration_id,
                ),
                AuditEntry(
                    actor=WORKSHOP,
                    action="account.closed",
                    detail=WORKSHOP,
                    registration_id=account.registration_id,
                ),
            ]
        )
        request = SupportRequest(
            reference="S-0001",
            topic="access",
            account_id=account.id,
            name="Kovács Péter",
            email=WORKSHOP,
            assigned_to=REVIEWER,
        )
        session.add(request)
        session.flush()
        session.add(
            SupportMessage(
                request_id=request.id, author="agent", author_email=REVIEWER, body="Hello"
            )
        )
    make_registration(
        app,
        id="r" + "9" * 15,
        email=WORKSHOP,
        open_email=None,
        status="REJECTED",
        decided_by=REVIEWER,
    )
    client = applicant_client(app, WORKSHOP)
    confirm_identity(client)
    text = client.get("/portal/account/my-data?lang=hu").get_data(as_text=True)
    assert REVIEWER not in text
    data = json.loads(text)
    actors = [e["actor"] for e in data["audit_log"]]
    assert actors == ["egy adminisztrátor", WORKSHOP]
    assert [r["decided_by"] for r in data["registrations"]] == [None, "egy adminisztrátor"]
    assert data["support_requests"][0]["assigned_to"] == "egy adminisztrátor"
    assert data["support_requests"][0]["messages"][0]["author_email"] == "egy adminisztrátor"
