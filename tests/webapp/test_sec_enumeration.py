"""ASVS V6.3.8 (no account enumeration) and mail bombing, counted, not timed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.models import OutboxMessage, Registration
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_portal import WORKSHOP, make_applicant
from webapp.auth import service
from workflows import contracts as c

STATUS = re.compile(r'data-status="([A-Z_]+)"')


def _shown(client, response) -> str:  # type: ignore[no-untyped-def]
    """The status page the answer leads to, without what differs for every registration."""
    assert response.status_code == 302 and "/status/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r"/status/[^/\"]+", "/status/TOKEN", page)
    page = re.sub(r'value="[^"]+"', 'value=""', page)
    return re.sub(r"\d", "0", page)  # the times


def _outbox(app, kind: str) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind)
        )


def test_send_registration_answers_the_same_for_a_registered_address(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    first = web.test_client()
    new = _shown(first, submit(first, lang="en"))
    assert STATUS.search(new).group(1) == c.Status.AWAITING_EMAIL_CONFIRMATION
    mailbox.wait_for("peter@kovacs-auto.hu")
    other = web.test_client()
    again = _shown(other, submit(other, lang="en"))  # the address has an open registration
    assert again == new
    with web.extensions["aos_sessions"]() as session:
        assert session.scalar(select(func.count(Registration.id))) == 1


def test_the_decoy_status_page_answers_a_resend_like_a_real_one(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    make_applicant(web, WORKSHOP)
    client = web.test_client()
    location = submit(client, lang="en", email=WORKSHOP).headers["Location"]
    token = csrf_token(client, location)
    resent = client.post(f"{location}/resend", data={"csrf_token": token})
    assert resent.status_code == 302
    page = client.get(resent.headers["Location"]).get_data(as_text=True)
    assert "We sent the email only a moment ago" in page


def test_eight_attempts_send_the_owner_one_email_an_hour(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    make_applicant(web, WORKSHOP)
    for _ in range(8):
        client = web.test_client()
        assert submit(client, lang="en", email=WORKSHOP).status_code == 302
    mailbox.wait_for(WORKSHOP)
    assert _outbox(web, "already_registered") == 1


@pytest.mark.parametrize("address", [WORKSHOP, "nobody@example.hu"])
def test_forgot_password_does_the_same_work_known_or_not(app, monkeypatch, address: str) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    work: list[str] = []
    real_token, real_queue = service.reset_token, service.queue_email

    def token(secret, account):  # type: ignore[no-untyped-def]
        work.append("token")
        return real_token(secret, account)

    def queue(*args, **kwargs):  # type: ignore[no-untyped-def]
        work.append("outbox")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(service, "reset_token", token)
    monkeypatch.setattr(service, "queue_email", queue)
    client = app.test_client()
    answer = client.post(
        "/password/forgot",
        data={"email": address, "csrf_token": csrf_token(client, "/password/forgot")},
    )
    assert answer.status_code == 200
    assert work == ["token", "outbox"]


MISMATCH = {"company_name": "Kovacs es Tarsa Autojavito Kft."}


def test_a_vat_mismatch_shows_its_page_for_a_registered_address_too(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    """The VIES check comes first whether or not the address is taken: the same 422 page."""
    make_applicant(web, WORKSHOP)
    with web.extensions["aos_sessions"]() as session:
        before = session.scalars(select(Registration.id)).all()
    free = submit(web.test_client(), lang="en", email="someone.new@example.hu", **MISMATCH)
    taken = submit(web.test_client(), lang="en", email=WORKSHOP, **MISMATCH)
    assert free.status_code == taken.status_code == 422

    def page(response, address: str) -> str:  # type: ignore[no-untyped-def]
        text = response.get_data(as_text=True).replace(address, "ADDRESS")
        text = re.sub(r'value="[^"]{40,}"', 'value=""', text)  # the CSRF token
        return re.sub(r"\d", "0", text)  # VIES's request identifier and date

    assert page(taken, WORKSHOP) == page(free, "someone.new@example.hu")
    with web.extensions["aos_sessions"]() as session:
        added = session.scalars(select(Registration.email).where(Registration.id.not_in(before)))
        assert added.all() == ["someone.new@example.hu"]  # nothing stored for the taken one
    assert _outbox(web, "already_registered") == 0


def test_a_registered_address_adopts_the_vies_data_then_gets_the_decoy(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_wizard import ACCESS, COMPANY, post

    make_applicant(web, WORKSHOP)
    with web.extensions["aos_sessions"]() as session:
        stored = session.scalar(select(func.count(Registration.id)))
    client = web.test_client()
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": "HU"})
    post(client, "company", {**COMPANY, **MISMATCH})
    post(client, "access", {**ACCESS, "email": WORKSHOP})
    sent = client.post(
        "/register/review", data={"csrf_token": csrf_token(client, "/register/review")}
    )
    assert sent.headers["Location"] == "/register/company"
    page = client.get("/register/company?lang=en").get_data(as_text=True)
    assert "Use the registered data" in page
    client.post(
        "/register/company/adopt", data={"csrf_token": csrf_token(client, "/register/company")}
    )
    adopted = client.get("/register/company?lang=en").get_data(as_text=True)
    assert 'value="Kovács és Társa Autójavító Kft."' in adopted
    post(client, "company", {**COMPANY, "company_name": "Kovács és Társa Autójavító Kft."})
    post(client, "access", {**ACCESS, "password": "", "email": WORKSHOP})
    again = client.post(
        "/register/review", data={"csrf_token": csrf_token(client, "/register/review")}
    )
    shown = _shown(client, again)
    assert STATUS.search(shown).group(1) == c.Status.AWAITING_EMAIL_CONFIRMATION
    mailbox.wait_for(WORKSHOP)
    assert _outbox(web, "already_registered") == 1
    with web.extensions["aos_sessions"]() as session:
        assert session.scalar(select(func.count(Registration.id))) == stored
