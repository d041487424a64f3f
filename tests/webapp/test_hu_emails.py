"""Emails as issue 25 asks: a named sender and a Reply-To, the line for whoever did not
register, footers by topic, reviewers' emails in their own language, an email when an
account is closed, a/az chosen in code."""

from __future__ import annotations

import email
from email import policy

from sqlalchemy import select

from activities.mail import MailActivities
from core.config import load_settings
from core.emails import render_email, render_outbox_email
from core.mail_app import MailApp
from core.models import Account, OutboxMessage
from tests.activities.test_activities import activity_env  # noqa: F401
from tests.webapp.test_personal_data import _close
from tests.webapp.test_portal import WORKSHOP, applicant_client, make_applicant
from tests.workflows.helpers import make_registration
from workflows import contracts as c

NOT_YOU_HU = "Ha nem Ön regisztrált, hagyja figyelmen kívül ezt az e-mailt"
NOT_YOU_EN = "If you did not register, you can ignore this email"


def test_the_defaults_name_the_brand_and_reply_to_the_support_address() -> None:
    settings = load_settings({"AOS_ENV": "development", "SECRET_KEY": "x" * 32})
    assert settings.mail["MAIL_DEFAULT_SENDER"] == "BMW AOS-portál <noreply@aos.local>"
    assert settings.mail_reply_to == "BMW AOS-portál <4thlevel@bmw.hu>"
    custom = load_settings(
        {"AOS_ENV": "development", "SECRET_KEY": "x" * 32, "MAIL_REPLY_TO": "help@x.hu"}
    )
    assert custom.mail_reply_to == "help@x.hu"


def test_a_sent_email_carries_the_sender_name_and_reply_to(
    app_env,
    make_app,
    mailbox,
    activity_env,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(
        {
            **app_env,
            "MAIL_DEFAULT_SENDER": "BMW AOS-portál <noreply@aos.test>",
            "MAIL_REPLY_TO": "BMW AOS-portál <segitseg@aos.test>",
        }
    )
    reg = make_registration(app)
    mail = MailActivities(MailApp(app.config["SETTINGS"]), app.extensions["aos_sessions"])
    request = c.SendEmailRequest(reg.id, kind="confirmation", deadline="2026-12-06T02:45:00+00:00")
    outbox_id = mail.store_registration_email(c.workflow_id_for(reg.id), request)
    activity_env.run(mail.send_outbox_mail, c.OutboxMailJob(outbox_id))
    [message] = mailbox.wait_for(reg.email)
    headers = email.message_from_bytes(message.raw, policy=policy.default)
    assert str(headers["From"]) == "BMW AOS-portál <noreply@aos.test>"
    assert str(headers["Reply-To"]) == "BMW AOS-portál <segitseg@aos.test>"


def test_confirmation_emails_have_the_not_you_line(app) -> None:  # type: ignore[no-untyped-def]
    reg = make_registration(app)
    settings = app.config["SETTINGS"]
    for kind in (c.EmailKind.CONFIRMATION, c.EmailKind.CONFIRMATION_REMINDER):
        hu = render_email(settings, kind, reg, language="hu", deadline="2026-12-06T02:45:00+00:00")
        en = render_email(settings, kind, reg, language="en", deadline="2026-12-06T02:45:00+00:00")
        assert NOT_YOU_HU in hu.text and NOT_YOU_HU in hu.html
        assert NOT_YOU_EN in en.text and NOT_YOU_EN in en.html
    activated = render_email(settings, c.EmailKind.ACTIVATED, reg, language="hu")
    assert NOT_YOU_HU not in activated.text  # an activated account registered, clearly


def test_emails_start_their_paragraphs_with_a_capital(app) -> None:  # type: ignore[no-untyped-def]
    """After „Tisztelt …!” and "Dear …," the text starts a new sentence."""
    reg = make_registration(app)
    settings = app.config["SETTINGS"]
    outbox = {
        "already_registered": {},
        "password_reset": {"reset_url": "http://aos.test/r"},
        "password_reset_unknown": {"register_url": "http://aos.test/register"},
        "support_received": {"reference": "SR-1", "topic": "Egyéb"},
        "support_reply": {"reference": "SR-1", "name": "Nagy Anna", "reply": "Kész.",
                          "request_url": None, "help_url": "http://aos.test/help/"},
    }  # fmt: skip
    for language in ("hu", "en"):
        mails = [
            render_email(
                settings, kind, reg, language=language, deadline="2026-12-06T02:45:00+00:00"
            )
            for kind in c.EmailKind
        ] + [
            render_outbox_email(settings, kind, language=language, context=context)
            for kind, context in outbox.items()
        ]
        for mail in mails:
            body = mail.text.split("=\n", 1)[1]
            for paragraph in filter(None, (p.strip() for p in body.split("\n\n"))):
                if paragraph.startswith("http"):
                    continue  # a link of the plain-text part
                assert not paragraph[0].islower(), f"{mail.subject}: {paragraph[:60]!r}"


def test_footers_fit_the_topic(app) -> None:  # type: ignore[no-untyped-def]
    settings = app.config["SETTINGS"]
    reply = render_outbox_email(
        settings,
        "support_reply",
        language="hu",
        context={"reference": "SR-261204-ABCDEF", "name": "Nagy Anna", "reply": "Kész.",
                 "request_url": None, "help_url": "http://aos.test/help/"},
    )  # fmt: skip
    assert "A regisztrációval kapcsolatos" not in reply.text + reply.html
    assert (
        "válaszoljon erre az e-mailre" in reply.text
        and "válaszoljon erre az e-mailre" in reply.html
    )
    reset = render_outbox_email(
        settings, "password_reset", language="en", context={"reset_url": "http://aos.test/r"}
    )
    assert "Questions about registration" not in reset.text
    assert "Questions about logging in:" in reset.text
    reg = make_registration(app)
    review = render_email(settings, c.EmailKind.REVIEW_REQUESTED, reg, language="hu")
    assert "Ezt az e-mailt az AOS-portál küldte az adminisztrátoroknak." in review.text


def test_the_company_gets_its_article_in_hungarian(app) -> None:  # type: ignore[no-untyped-def]
    settings = app.config["SETTINGS"]
    reg = make_registration(app, company_name="Autójavító Kft.")
    hu = render_email(settings, c.EmailKind.REVIEW_REQUESTED, reg, language="hu")
    assert "Az Autójavító Kft. (HU" in hu.text and "a(z)" not in hu.text.lower()
    reg = make_registration(app, company_name="Kovács Kft.", email="other@kovacs.hu")
    hu = render_email(settings, c.EmailKind.REVIEW_REQUESTED, reg, language="hu")
    assert "A Kovács Kft. (HU" in hu.text
    en = render_email(settings, c.EmailKind.REVIEW_REQUESTED, reg, language="en")
    assert en.text.count("Kovács Kft. (HU") == 1 and "A Kovács" not in en.text


def test_reviewers_read_their_own_language(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(
        {**app_env, "ADMIN_NOTIFY_EMAILS": "anna@aos.test, john@aos.test, desk@aos.test"}
    )
    with app.extensions["aos_sessions"].begin() as session:
        session.add(Account(email="john@aos.test", role="admin", language="en", password_hash="!"))
        session.add(Account(email="anna@aos.test", role="admin", language="hu", password_hash="!"))
    reg = make_registration(app)
    mail = MailActivities(MailApp(app.config["SETTINGS"]), app.extensions["aos_sessions"])
    request = c.SendEmailRequest(reg.id, kind=c.EmailKind.REVIEW_REQUESTED)
    stored = mail.store_registration_email(c.workflow_id_for(reg.id), request)
    assert mail.store_registration_email(c.workflow_id_for(reg.id), request) == stored  # once
    with app.extensions["aos_sessions"]() as session:
        rows = [session.get(OutboxMessage, i) for i in stored.split(",")]
        by_language = {row.language: row.recipient for row in rows}
    # No console account for desk@: it reads Hungarian, the portal's language.
    assert by_language == {"en": "john@aos.test", "hu": "anna@aos.test, desk@aos.test"}


def test_closing_an_account_sends_an_email(app) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    assert _close(client, "applicant password 1", lang="hu").status_code == 302
    with app.extensions["aos_sessions"]() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "account_closed"))
        assert row.recipient == WORKSHOP
        rendered = render_outbox_email(
            app.config["SETTINGS"], row.kind, language=row.language, context=row.context
        )
    assert rendered.subject in ("AOS-fiókját megszüntettük", "Your AOS account is closed")
    assert WORKSHOP in rendered.text and "90" in rendered.text


def test_create_admin_sets_the_language_of_the_administrators_emails(app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["create-admin", "anna@aos.hu", "--password-stdin"], input="a long enough password\n"
    )
    assert "Emails to anna@aos.hu are in Hungarian." in created.output  # the default
    changed = runner.invoke(
        args=["create-admin", "anna@aos.hu", "--password-stdin", "--language", "en"],
        input="a long enough password\n",
    )
    assert "Emails to anna@aos.hu are in English." in changed.output
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == "anna@aos.hu")).one()
        assert account.language == "en"
