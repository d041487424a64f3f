"""Registration emails, sent only from here so an SMTP outage delays mail but never
loses it (the workflow retries with back-off).

Sent once: each message has a Message-ID derived from the workflow and its purpose, and
the ledger (SentEmail) records it as soon as the SMTP server accepts it; a retried
activity finds it there and does not send again. The one window left: a crash after the
server accepted the message and before the ledger write. The retry then sends a
duplicate carrying the same Message-ID, which mail clients collapse.
"""

from __future__ import annotations

from flask import Flask
from flask_mail import Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from webapp.emails import render_email
from webapp.extensions import mail
from webapp.models import Registration, SentEmail
from workflows import contracts as c


def message_id_for(workflow_id: str, purpose_key: str, sender_domain: str) -> str:
    return f"<{workflow_id}.{purpose_key}@{sender_domain}>"


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "aos.local"


class MailActivities:
    def __init__(self, app: Flask, sessions: sessionmaker) -> None:
        self._app = app
        self._sessions = sessions

    @activity.defn(name=c.ACTIVITY_SEND_EMAIL)
    def send_registration_email(self, req: c.SendEmailRequest) -> str:
        settings = self._app.config["SETTINGS"]
        sender = settings.mail["MAIL_DEFAULT_SENDER"]
        message_id = message_id_for(
            activity.info().workflow_id, req.purpose_key or req.kind, _domain(sender)
        )
        with self._sessions() as session:
            if session.scalars(
                select(SentEmail.id).where(SentEmail.message_id == message_id)
            ).first():
                return message_id  # accepted on an earlier attempt
            reg = session.get(Registration, req.registration_id)
            if reg is None:
                raise ApplicationError(
                    "no registration record", type=c.ERROR_REGISTRATION_MISSING, non_retryable=True
                )
            if req.kind == c.EmailKind.REVIEW_OVERDUE:
                recipients = list(settings.admin_notify_emails)
                language = "en"
            else:
                recipients = [reg.email]
                language = reg.language
            if not recipients:
                activity.logger.warning("No ADMIN_NOTIFY_EMAILS set; %s not sent", req.kind)
                return ""
            rendered = render_email(
                self._app,
                req.kind,
                reg,
                language=language,
                deadline=req.deadline,
                reason=req.reason,
            )
            message = Message(
                subject=rendered.subject,
                recipients=recipients,
                body=rendered.text,
                html=rendered.html,
                sender=sender,
                extra_headers={"Content-Language": language},
            )
            message.msgId = message_id  # Flask-Mail writes this as the Message-ID header
            with self._app.app_context():
                mail.send(message)
            # <-- the window named in the module docstring: accepted, not yet recorded.
            session.add(
                SentEmail(
                    message_id=message_id,
                    registration_id=reg.id,
                    kind=req.kind,
                    recipient=", ".join(recipients),
                    subject=rendered.subject,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a concurrent attempt recorded it first
        return message_id
