"""The worker's sweep delivers the people's actions that are still pending.

The web app stores each click (core/models/actions.py) and delivers it at once; when
Temporal did not answer, or answered too late, the row stays pending and is delivered
again here, with the same Update id, until the workflow applies or refuses it. A row is
left alone for GRACE after its last attempt, so the web app's own delivery is not raced
(racing would be harmless: Temporal deduplicates the Update id).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker
from temporalio.client import Client

from core.action_delivery import Applied, Refusal, deliver, mark
from core.models import PersonAction

log = logging.getLogger("aos.worker.actions")
GRACE = timedelta(seconds=10)
RPC_TIMEOUT = timedelta(seconds=5)
BATCH = 200


@dataclass
class Pending:
    id: str
    registration_id: str
    kind: str
    payload: dict


class ActionRedelivery:
    def __init__(self, client: Client, sessions: sessionmaker) -> None:
        self._client = client
        self._sessions = sessions

    def _due(self, now: datetime, grace: timedelta) -> list[Pending]:
        quiet_since = now - grace
        with self._sessions() as session:
            rows = session.scalars(
                select(PersonAction)
                .where(
                    PersonAction.applied_at.is_(None),
                    PersonAction.refused_at.is_(None),
                    PersonAction.received_at < quiet_since,
                    or_(
                        PersonAction.last_attempt_at.is_(None),
                        PersonAction.last_attempt_at < quiet_since,
                    ),
                )
                .order_by(PersonAction.received_at)
                .limit(BATCH)
            ).all()
            return [Pending(r.id, r.registration_id, r.kind, dict(r.payload)) for r in rows]

    def _record(self, action_id: str, outcome: Applied | Refusal | Exception) -> None:
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            row = session.get(PersonAction, action_id, with_for_update=True)
            if row is None or not row.pending:
                return  # the web app's delivery came back first
            row.attempts = (row.attempts or 0) + 1
            row.last_attempt_at = now
            if isinstance(outcome, Exception):
                row.last_error = (str(outcome) or type(outcome).__name__)[:2000]
            else:
                mark(row, outcome, now)

    async def redeliver_once(self, grace: timedelta = GRACE) -> int:
        """Deliver each due row once; the number that got an outcome."""
        due = await asyncio.to_thread(self._due, datetime.now(UTC), grace)
        settled = 0
        for action in due:
            try:
                outcome: Applied | Refusal | Exception = await deliver(
                    self._client,
                    registration_id=action.registration_id,
                    kind=action.kind,
                    action_id=action.id,
                    payload=action.payload,
                    rpc_timeout=RPC_TIMEOUT,
                )
            except Exception as err:  # noqa: BLE001 - Temporal silent or slow: next sweep
                outcome = err
            await asyncio.to_thread(self._record, action.id, outcome)
            if isinstance(outcome, Applied | Refusal):
                settled += 1
                log.info(
                    "Delivered the stored %s %s of registration %s: %s",
                    action.kind,
                    action.id,
                    action.registration_id,
                    "applied" if isinstance(outcome, Applied) else f"refused ({outcome.kind})",
                )
        return settled
