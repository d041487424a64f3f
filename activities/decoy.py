"""The worker's side of a decoy's "Send again" (workflows/decoy.py, ASVS V6.3.8).

A real resend outside its cool-down queues the confirmation email (activities/mail.py
queue_registration_email): two transactions on the outbox and the records, and a call to
the Temporal server that starts the mail's workflow. This does the same statements and the
same kind of call: the row it inserts is deleted in the same transaction (no one else ever
sees it), the update matches no row, the workflow it starts sends nothing (DecoyMailWorkflow).
So the decoy stores nothing and mails no one, and the answer takes about as long.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from core.models import OutboxMessage, Registration
from workflows import contracts as c


class DecoyActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @activity.defn(name=c.ACTIVITY_DECOY_RESEND)
    async def decoy_resend(self, req: c.DecoyResendRequest) -> str:
        info = activity.info()
        outbox_id = uuid.uuid4().hex  # the shape of an outbox id; never committed
        await asyncio.to_thread(self._as_if_stored, outbox_id, req.registration_id)
        # Where start_outbox_mail starts the mail's workflow: a workflow that sends nothing.
        await activity.client().start_workflow(
            c.DECOY_MAIL_WORKFLOW_NAME,
            req,
            id=f"decoy-mail-{uuid.uuid4().hex}",
            task_queue=info.task_queue,
            execution_timeout=timedelta(minutes=5),
        )
        await asyncio.to_thread(self._as_if_marked, outbox_id)
        return outbox_id

    def _as_if_stored(self, outbox_id: str, registration_id: str) -> None:
        """The email's row written and taken back in one transaction: no one else ever sees
        it (the transaction's isolation), and the commit writes what a real one writes."""
        with self._sessions.begin() as session:
            session.get(OutboxMessage, outbox_id)
            session.get(Registration, registration_id)
            row = OutboxMessage(
                id=outbox_id,
                kind=c.EmailKind.CONFIRMATION.value,
                recipient="decoy@aos.invalid",
                language="hu",
                context={"message_key": ["decoy", "resend"], "deadline": None, "reason": None},
            )
            session.add(row)
            session.flush()
            session.delete(row)

    def _as_if_marked(self, outbox_id: str) -> None:
        with self._sessions.begin() as session:  # as mark_started: here it matches no row
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(workflow_started=True)
            )
