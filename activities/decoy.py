"""The worker's side of a decoy's "Send again" (workflows/decoy.py, ASVS V6.3.8).

A real resend outside its cool-down queues the confirmation email (activities/mail.py
queue_registration_email): two transactions on the outbox and the records, and a call to
the Temporal server that starts the mail's workflow. This does the same statements and the
same kind of call, reading where that one writes and updating a row that does not exist, so
the decoy stores nothing and mails no one, and the answer takes as long as a real one's.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker
from temporalio import activity

from core.models import OutboxMessage, Registration
from workflows import contracts as c


class DecoyActivities:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @activity.defn(name=c.ACTIVITY_DECOY_RESEND)
    async def decoy_resend(self, req: c.DecoyResendRequest) -> str:
        info = activity.info()
        outbox_id = c.outbox_id_for(info.workflow_id, "decoy-resend")
        await asyncio.to_thread(self._as_if_stored, outbox_id, req.registration_id)
        # Where start_outbox_mail starts the mail's workflow: one call to the server.
        await activity.client().get_workflow_handle(info.workflow_id).describe()
        await asyncio.to_thread(self._as_if_marked, outbox_id)
        return outbox_id

    def _as_if_stored(self, outbox_id: str, registration_id: str) -> None:
        with self._sessions.begin() as session:
            session.get(OutboxMessage, outbox_id)
            session.get(Registration, registration_id)
            count = select(func.count()).select_from(OutboxMessage)
            session.scalar(count.where(OutboxMessage.id == outbox_id))  # the INSERT's place

    def _as_if_marked(self, outbox_id: str) -> None:
        with self._sessions.begin() as session:  # as mark_started: here it matches no row
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(workflow_started=True)
            )
