"""Help ("Súgó"): support requests from submission to closed, with their emails over SMTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import Account, AuditEntry, OutboxMessage, SupportMessage, SupportRequest
from tests.webapp.conftest import csrf_token
from tests.webapp.test_portal import (
    MOTORCYCLE,
    WORKSHOP,
    applicant_client,
    console_client,
    make_applicant,
)

SUPPORT = "support-desk@aos.test"
REFERENCE = re.compile(r"SR-\d{6}-[A-Z2-9]{6}")
LOGIN_PROBLEM = {
    "name": "Nagy Anna",
    "email": "Anna@Szoke-Gumi.hu",
    "phone": "",
    "company": "SZŐKE ÉS FIA GUMISZERVIZ BT.",
    "login_email": "anna@szoke-gumi.hu",
    "login_problem": "rejected",
    "error_text": "The email address or the password is not correct.",
    "message": "I cannot log in since yesterday.",
    "website": "",
}


def desk_reads(app, language: str) -> None:  # type: ignore[no-untyped-def]
    """The support desk's address is a console account reading `language`."""
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email=SUPPORT, role="admin", roles="support", language=language, password_hash="!"
            )
        )


@pytest.fixture
def web(web_env, running_worker, make_app):  # type: ignore[no-untyped-def]
    app = make_app({**web_env, "SUPPORT_EMAIL": SUPPORT})
    desk_reads(app, "en")  # most tests read the desk's notices in English
    running_worker(app)
    return app


def send(client, topic: str, lang: str = "en", **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/help/new/{topic}?lang={lang}")
    return client.post(f"/help/new/{topic}", data={**fields, "csrf_token": token})


def requests_in(app) -> list[SupportRequest]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return list(session.scalars(select(SupportRequest).order_by(SupportRequest.id)))


def test_help_is_public_and_lists_the_topics(client):
    page = client.get("/help/?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for topic in ("registration", "login", "pricing", "technical", "other"):
        assert f'href="/help/new/{topic}"' in text
        assert client.get(f"/help/new/{topic}").status_code == 200
    assert client.get("/help/new/nonsense").status_code == 404
    assert 'href="/password/forgot"' in text


def test_topics_questions_and_choices_are_shown_in_the_readers_language(client):
    hungarian = client.get("/help/?lang=hu").get_data(as_text=True)
    assert "Regisztráció" in hungarian and "a közösségi adószám ellenőrzésével" in hungarian
    assert "Bejelentkezés és jelszó" in hungarian
    technical = client.get("/help/new/technical?lang=hu").get_data(as_text=True)
    assert "Járműkategória" in technical and "Motorkerékpárok (BMW Motorrad)" in technical
    assert "17 karakter, ha a kérdés egy adott járműre vonatkozik." in technical
    login = client.get("/help/new/login?lang=hu").get_data(as_text=True)
    assert "A probléma" in login and "Elfelejtettem a jelszavamat" in login
    pricing = client.get("/help/new/pricing?lang=hu").get_data(as_text=True)
    assert "Nem egy adott termékre vonatkozik" in pricing
    assert "Személyautók (BMW, MINI): 1 óra" in pricing
    english = client.get("/help/new/pricing?lang=en").get_data(as_text=True)
    assert "Not about one product" in english and "Cars (BMW, MINI): One hour" in english


def test_a_request_in_hungarian_is_confirmed_in_hungarian_and_noticed_in_the_desks_language(
    web, mailbox
):
    client = web.test_client()
    assert send(client, "login", lang="hu", **LOGIN_PROBLEM).status_code == 302
    [confirmation] = mailbox.wait_for("anna@szoke-gumi.hu")
    assert "Téma: Bejelentkezés és jelszó" in confirmation.text
    [notice] = mailbox.wait_for(SUPPORT)
    assert notice.subject.endswith(": Login and password")  # the desk's account reads English
    assert "The problem: My email address or password is not accepted" in notice.text


def test_the_desks_notice_is_hungarian_when_its_account_reads_hungarian(
    web_env, running_worker, make_app, mailbox
):  # type: ignore[no-untyped-def]
    app = make_app({**web_env, "SUPPORT_EMAIL": SUPPORT})
    desk_reads(app, "hu")
    running_worker(app)
    assert send(app.test_client(), "login", lang="en", **LOGIN_PROBLEM).status_code == 302
    [notice] = mailbox.wait_for(SUPPORT)
    assert notice.subject.endswith(": Bejelentkezés és jelszó")
    assert (
        "A probléma: A rendszer nem fogadja el az e-mail-címemet vagy a jelszavamat" in notice.text
    )
    # Help answers and notices end with their own footer, not the registration's.
    assert "A regisztrációval kapcsolatos" not in notice.text
    assert "Ezt az e-mailt az AOS-portál küldte az ügyfélszolgálatnak." in notice.text


def test_a_request_from_submission_to_closed_with_its_emails(web, mailbox):
    client = web.test_client()
    sent = send(client, "login", **LOGIN_PROBLEM)
    assert sent.status_code == 302 and sent.headers["Location"] == "/help/sent"
    page = client.get("/help/sent").get_data(as_text=True)
    reference = REFERENCE.search(page).group(0)

    [confirmation] = mailbox.wait_for("anna@szoke-gumi.hu")
    assert confirmation.subject == f"We received your support request {reference}"
    # The address is not confirmed as anyone's: what was typed is not sent to it.
    assert "I cannot log in since yesterday." not in confirmation.text
    assert "Nagy Anna" not in confirmation.text and reference in confirmation.text
    [notice] = mailbox.wait_for(SUPPORT)
    assert notice.subject == f"New support request {reference}: Login and password"
    assert "My email address or password is not accepted" in notice.text
    assert f"http://aos.test/admin/support/{reference}" in notice.text

    agent = console_client(web, "agent@aos.test", roles="support")
    queue = agent.get("/admin/support/?lang=en").get_data(as_text=True)
    assert reference in queue and "Nagy Anna" in queue
    detail = agent.get(f"/admin/support/{reference}?lang=en").get_data(as_text=True)
    assert "I cannot log in since yesterday." in detail
    assert "SZŐKE ÉS FIA GUMISZERVIZ BT." in detail

    def post(action: str, **data: str):  # type: ignore[no-untyped-def]
        token = csrf_token(agent, f"/admin/support/{reference}")
        return agent.post(
            f"/admin/support/{reference}/{action}", data={**data, "csrf_token": token}
        )

    assert post("status", status="in_progress").status_code == 302
    assert requests_in(web)[0].status == "in_progress"
    assert post("reply", body="").status_code == 400
    reply = "Your account is active. Please use the password reset link on the login page."
    assert post("reply", body=reply).status_code == 302
    answered = requests_in(web)[0]
    assert answered.status == "answered" and answered.assigned_to == "agent@aos.test"

    answer = mailbox.wait_for("anna@szoke-gumi.hu", 2)[0]
    assert answer.subject == f"Answer to your support request {reference}"
    assert reply in answer.text and "http://aos.test/help/" in answer.text

    assert post("status", status="closed").status_code == 302
    assert post("status", status="archived").status_code == 400
    with web.extensions["aos_sessions"]() as session:
        req = session.scalars(select(SupportRequest)).one()
        assert req.status == "closed"
        thread = session.scalars(select(SupportMessage).order_by(SupportMessage.id)).all()
        assert [(m.author, m.body) for m in thread] == [
            ("applicant", "I cannot log in since yesterday."),
            ("agent", reply),
        ]
        details = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "support"))
        assert len(details.all()) == 3
    closed = agent.get("/admin/support/?status=closed").get_data(as_text=True)
    assert reference in closed
    assert reference not in agent.get("/admin/support/").get_data(as_text=True)


def test_logged_in_requests_are_prefilled_and_readable_only_by_their_account(web, mailbox):
    make_applicant(web, WORKSHOP)
    make_applicant(web, MOTORCYCLE)
    owner = applicant_client(web, WORKSHOP)
    form = owner.get("/help/new/registration?lang=en").get_data(as_text=True)
    assert 'value="HU12345676"' in form and f'value="{WORKSHOP}"' in form
    assert 'value="Kovács Péter"' in form and 'value="r111111111111111"' in form

    fields = {
        "name": "Kovács Péter",
        "email": WORKSHOP,
        "company": "Kovács és Társa Autójavító Kft.",
        "vat_number": "HU12345676",
        "registration_reference": "r111111111111111",
        "message": "Please change our user type.",
    }
    assert send(owner, "registration", **fields).status_code == 302
    [req] = requests_in(web)
    assert req.account_id is not None
    [confirmation] = mailbox.wait_for(WORKSHOP)
    assert f"http://aos.test/help/requests/{req.reference}" in confirmation.text
    assert "Please change our user type." in confirmation.text  # the account's own address

    path = f"/help/requests/{req.reference}"
    assert "Please change our user type." in owner.get(path).get_data(as_text=True)
    assert req.reference in owner.get("/help/requests").get_data(as_text=True)
    other = applicant_client(web, MOTORCYCLE)
    assert other.get(path).status_code == 404
    assert req.reference not in other.get("/help/requests").get_data(as_text=True)
    assert web.test_client().get(path).status_code == 302  # anonymous: to the login
    token = csrf_token(other, "/portal/account")
    refused = other.post(f"{path}/follow-up", data={"body": "mine now", "csrf_token": token})
    assert refused.status_code == 404

    # The owner adds information: kept in the thread, support hears of it.
    token = csrf_token(owner, path)
    added = owner.post(
        f"{path}/follow-up", data={"body": "Our VAT number is unchanged.", "csrf_token": token}
    )
    assert added.status_code == 302
    notices = mailbox.wait_for(SUPPORT, 2)
    assert (
        notices[0].subject == f"Support request {req.reference}: new information from the requester"
    )
    assert "Our VAT number is unchanged." in owner.get(path).get_data(as_text=True)


def test_questions_of_each_topic_are_checked(client):
    base = {"name": "Nagy Anna", "email": "anna@example.hu", "message": "Help", "website": ""}
    assert send(client, "registration", **base).status_code == 400  # no VAT number
    assert send(client, "other", **base).status_code == 400  # no subject
    bad_vin = send(client, "technical", **base, vehicle_category="car", vin="WBA123")
    assert bad_vin.status_code == 400
    assert "A VIN has 17 letters and digits" in bad_vin.get_data(as_text=True)
    assert send(client, "login", **{**LOGIN_PROBLEM, "login_email": "nope"}).status_code == 400
    assert requests_in(client.application) == []


def test_honeypot_drops_the_request_quietly(web, mailbox):
    client = web.test_client()
    response = send(client, "login", **{**LOGIN_PROBLEM, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "your request has been received" in response.get_data(as_text=True)
    assert requests_in(web) == []
    with web.extensions["aos_sessions"]() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_at_most_five_requests_per_ip_and_hour(web, mailbox):
    client = web.test_client()
    for _ in range(5):
        assert send(client, "other", **{**LOGIN_PROBLEM, "subject": "Hi"}).status_code == 302
    refused = send(client, "other", **{**LOGIN_PROBLEM, "subject": "Hi"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    assert "Please try again in an hour" in refused.get_data(as_text=True)
    assert len(requests_in(web)) == 5
    # Another address (another client) is not affected.
    other = web.test_client()
    token = csrf_token(other, "/help/new/other")
    elsewhere = other.post(
        "/help/new/other",
        data={**LOGIN_PROBLEM, "subject": "Hi", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert elsewhere.status_code == 302


def test_only_support_agents_work_requests(app):
    reviewer = console_client(app, "reviewer@aos.test", roles="reviewer")
    assert reviewer.get("/admin/support/").status_code == 403
    make_applicant(app, WORKSHOP)
    applicant = applicant_client(app, WORKSHOP)
    assert applicant.get("/admin/support/").status_code == 302


def test_the_rate_limit_window_slides(app):
    from datetime import UTC, datetime, timedelta

    from core.models import RateLimitHit
    from webapp.ratelimit import allow, key_hash

    secret = app.config["SETTINGS"].secret_key
    checks = [("support-ip", "192.0.2.1", 2)]
    with app.extensions["aos_sessions"]() as session:
        old = datetime.now(UTC) - timedelta(minutes=61)
        session.add_all(
            RateLimitHit(bucket="support-ip", key_hash=key_hash(secret, "192.0.2.1"), at=old)
            for _ in range(5)
        )
        session.commit()
        assert allow(session, secret, checks) and allow(session, secret, checks)
        assert not allow(session, secret, checks)
        # Hits older than the window are gone; refused attempts left nothing behind.
        assert len(session.scalars(select(RateLimitHit)).all()) == 2
        assert allow(session, secret, [("support-ip", "192.0.2.2", 2)])


def test_question_about_a_document_names_it_only_within_the_scope(app):
    make_applicant(app, WORKSHOP)
    make_applicant(app, MOTORCYCLE)
    path = "/help/new/technical?lang=en&document=bmw-g20-brake-pads-front"
    named = "Front brake pads: remove and install (bmw-g20-brake-pads-front)"
    assert named in applicant_client(app, WORKSHOP).get(path).get_data(as_text=True)
    motorcycle = applicant_client(app, MOTORCYCLE).get(path).get_data(as_text=True)
    assert "Front brake pads" not in motorcycle
    assert '<option selected value="motorcycle">' in motorcycle
