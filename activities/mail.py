"""Every email is sent from here, so an SMTP outage delays mail but never loses it (the
workflows retry with back-off, without an attempt limit).

Sent once: each message has a Message-ID derived from its workflow and purpose, and the
ledger (SentEmail) records it as soon as the SMTP server accepts it; a retried activity
finds it there and does not send again. The one window left: a crash after the server
accepted the message and before the ledger write. The retry then sends a duplicate
carrying the same Message-ID, which mail clients collapse.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from flask_mail import Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.sweep import mark_started, start_outbox_mail
from core.emails import RenderedEmail, render_email, render_outbox_email
from core.mail_app import MailApp
from core.models import OutboxMessage, Registration, SentEmail
from core.models.changes import latest_round
from core.staff import by_language
from workflows import contracts as c


def message_id_for(workflow_id: str, purpose_key: str, sender_domain: str) -> str:
    return f"<{workflow_id}.{purpose_key}@{sender_domain}>"


def _domain(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "aos.local"


def _stored_ids(session: Session, first: str, workflow_id: str, purpose: str) -> str:
    """The ids an earlier attempt stored: the first, then one per further language."""
    others = [c.outbox_id_for(workflow_id, f"{purpose}.{language}") for language in ("en", "hu")]
    return ",".join([first, *(i for i in others if session.get(OutboxMessage, i) is not None)])


def _missing(what: str) -> ApplicationError:
    return ApplicationError(what, type=c.ERROR_REGISTRATION_MISSING, non_retryable=True)


class MailActivities:
    def __init__(self, mail: MailApp, sessions: sessionmaker) -> None:
        self._mail = mail
        self._sessions = sessions

    @property
    def _sender(self) -> str:
        return self._mail.sender

    def _send_once(
        self,
        session: Session,
        *,
        message_id: str,
        kind: str,
        recipients: list[str],
        language: str,
        render: Callable[[], RenderedEmail],
        registration_id: str | None = None,
    ) -> bool:
        """Send unless the ledger has it; record it the moment the server accepts it."""
        if session.scalars(select(SentEmail.id).where(SentEmail.message_id == message_id)).first():
            return False  # accepted on an earlier attempt
        rendered = render()
        message = Message(
            subject=rendered.subject,
            recipients=recipients,
            body=rendered.text,
            html=rendered.html,
            sender=self._sender,
            reply_to=self._mail.settings.mail_reply_to or None,
            extra_headers={"Content-Language": language},
        )
        message.msgId = message_id  # Flask-Mail writes this as the Message-ID header
        self._mail.send(message)
        # <-- the window named in the module docstring: accepted, not yet recorded.
        session.add(
            SentEmail(
                message_id=message_id,
                registration_id=registration_id,
                kind=kind,
                recipient=", ".join(recipients),
                subject=rendered.subject,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # a concurrent attempt recorded it first
        return True

    @activity.defn(name=c.ACTIVITY_QUEUE_EMAIL)
    async def queue_registration_email(self, req: c.SendEmailRequest) -> str:
        """Store a registration workflow's email in the outbox and start its delivery
        (OutboxMailWorkflow). A local activity: a retry stores and starts nothing twice
        (the outbox id comes from the workflow and the purpose); a start that fails is
        left to the worker's sweep, like the web app's outbox mail."""
        info = activity.info()
        stored = await asyncio.to_thread(self.store_registration_email, info.workflow_id, req)
        for outbox_id in filter(None, stored.split(",")):
            if await start_outbox_mail(activity.client(), info.task_queue, outbox_id):
                await asyncio.to_thread(mark_started, self._sessions, OutboxMessage, [outbox_id])
        return stored

    def store_registration_email(self, workflow_id: str, req: c.SendEmailRequest) -> str:
        """The outbox rows of a registration email: their ids, comma-separated (one per
        language of the reviewers; empty when it has no recipient)."""
        purpose = req.purpose_key or req.kind
        outbox_id = c.outbox_id_for(workflow_id, purpose)
        settings = self._mail.settings
        with self._sessions.begin() as session:
            if session.get(OutboxMessage, outbox_id) is not None:
                return _stored_ids(session, outbox_id, workflow_id, purpose)  # an earlier attempt
            reg = session.get(Registration, req.registration_id)
            if reg is None:
                raise _missing(f"Registration {req.registration_id} has no record")
            if req.kind in c.REVIEWER_EMAILS:
                # Each administrator reads it in their own language: one message a language.
                groups = by_language(session, settings.admin_notify_emails)
            else:
                groups = {reg.language: [reg.email]}
            if not groups:
                activity.logger.warning("No ADMIN_NOTIFY_EMAILS set; %s not sent", req.kind)
                return ""
            ids = []
            for n, (language, recipients) in enumerate(sorted(groups.items())):
                # The first keeps the id and Message-ID it always had; others add the language.
                key = purpose if n == 0 else f"{purpose}.{language}"
                ids.append(c.outbox_id_for(workflow_id, key) if n else outbox_id)
                session.add(
                    OutboxMessage(
                        id=ids[-1],
                        kind=req.kind,
                        recipient=", ".join(recipients),
                        language=language,
                        registration_id=reg.id,
                        context={
                            # The Message-ID stays <workflow id.purpose@domain>, as before.
                            "message_key": [workflow_id, key],
                            "deadline": req.deadline,
                            "reason": req.reason,
                            "vat_check_delayed": req.vat_check_delayed,
                        },
                    )
                )
        return ",".join(ids)

    @activity.defn(name=c.ACTIVITY_SEND_OUTBOX_MAIL)
    def send_outbox_mail(self, job: c.OutboxMailJob) -> str:
        with self._sessions() as session:
            outbox = session.get(OutboxMessage, job.outbox_id)
            if outbox is None:
                raise _missing(f"Outbox message {job.outbox_id} has no record")
            context = dict(outbox.context or {})
            workflow_id, purpose = context.get("message_key") or (
                c.mail_workflow_id_for(job.outbox_id),
                "mail",
            )
            message_id = message_id_for(workflow_id, purpose, _domain(self._sender))
            self._send_once(
                session,
                message_id=message_id,
                kind=outbox.kind,
                recipients=[r for r in outbox.recipient.split(", ") if r],
                language=outbox.language,
                registration_id=outbox.registration_id,
                render=lambda: self._render(session, outbox, context),
            )
            if outbox.sent_at is None:
                outbox.sent_at = datetime.now(UTC)
                session.commit()
        return message_id

    def _render(self, session: Session, outbox: OutboxMessage, context: dict) -> RenderedEmail:
        settings = self._mail.settings
        if "message_key" not in context:
            return render_outbox_email(
                settings, outbox.kind, language=outbox.language, context=context
            )
        # A registration workflow's email: rendered from the record as it is now.
        reg = session.get(Registration, outbox.registration_id)
        if reg is None:
            raise _missing(f"Registration {outbox.registration_id} has no record")
        return render_email(
            settings,
            outbox.kind,
            reg,
            language=outbox.language,
            deadline=context.get("deadline"),
            reason=context.get("reason"),
            vat_check_delayed=bool(context.get("vat_check_delayed")),
            changes=latest_round(session, reg.id),
        )
