"""The reconciler: the records follow the workflows, and are repaired when they do not.

Each sweep compares a batch of registration rows with their workflows' RegistrationStatus
search attribute (upserted in the very task that enters a status, so it is what the
history holds). A row may trail its workflow by an activity's latency, so a disagreement
is repaired only when the same one is seen again more than THRESHOLD later: from the
workflow's status query, logged at ERROR with both states, and counted
(`aos_record_workflow_disagreements_total` on the worker's metrics). The usual causes are
a database restored to an earlier point while the workflows ran on, or a write lost
outside the process; the rule "the workflow is the source of truth" decides.

The batch walks the open rows (and those changed in the last day) by id, a cursor wrapping
round, so every row is looked at within a few sweeps however many there are.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import sessionmaker
from temporalio.client import Client
from temporalio.common import MetricCounter
from temporalio.service import RPCError, RPCStatusCode

from activities.records import RecordActivities
from core.models import Account, Registration
from workflows import contracts as c

log = logging.getLogger("aos.worker.reconcile")
THRESHOLD = timedelta(minutes=1)
BATCH = 200
RPC_TIMEOUT = timedelta(seconds=5)
RECENT = timedelta(days=1)
FINAL = [status.value for status in c.FINAL_STATUSES]


@dataclass(frozen=True)
class Seen:
    record: str
    workflow: str
    since: float


class Reconciler:
    def __init__(
        self,
        client: Client,
        sessions: sessionmaker,
        counter: MetricCounter | None = None,
        clock: Callable[[], float] = time.monotonic,
        threshold: timedelta = THRESHOLD,
    ) -> None:
        self._client = client
        self._sessions = sessions
        self._counter = counter
        self._clock = clock
        self._threshold = threshold.total_seconds()
        self._seen: dict[str, Seen] = {}
        self._cursor = ""
        self.repaired = 0

    def _batch(self) -> list[tuple[str, str]]:
        recent = datetime.now(UTC) - RECENT
        with self._sessions() as session:
            query = (
                select(Registration.id, Registration.status)
                .where(
                    Registration.workflow_started.is_(True),
                    Registration.erased_at.is_(None),
                    or_(Registration.status.not_in(FINAL), Registration.updated_at > recent),
                )
                .order_by(Registration.id)
                .limit(BATCH)
            )
            rows = session.execute(query.where(Registration.id > self._cursor)).all()
            if len(rows) < BATCH:  # wrap round to the start
                self._cursor = ""
            else:
                self._cursor = rows[-1][0]
            return [(row[0], row[1]) for row in rows]

    async def _workflow_status(self, registration_id: str) -> str | None:
        handle = self._client.get_workflow_handle(c.workflow_id_for(registration_id))
        try:
            desc = await handle.describe(rpc_timeout=RPC_TIMEOUT)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None  # gone from Temporal's retention: nothing to compare
            raise
        return desc.typed_search_attributes.get(c.STATUS_KEY)

    async def reconcile_once(self) -> int:
        """Compare one batch; the number of rows repaired."""
        repaired = 0
        now = self._clock()
        for registration_id, record_status in await asyncio.to_thread(self._batch):
            workflow_status = await self._workflow_status(registration_id)
            if workflow_status is None or workflow_status == record_status:
                self._seen.pop(registration_id, None)
                continue
            seen = self._seen.get(registration_id)
            if seen is None or (seen.record, seen.workflow) != (record_status, workflow_status):
                self._seen[registration_id] = Seen(record_status, workflow_status, now)
                continue
            if now - seen.since < self._threshold:
                continue
            await self._repair(registration_id, record_status)
            self._seen.pop(registration_id, None)
            repaired += 1
        if self._seen:  # forget rows that left the batch (ended, erased)
            horizon = now - 10 * self._threshold
            self._seen = {k: v for k, v in self._seen.items() if v.since > horizon}
        self.repaired += repaired
        return repaired

    async def _repair(self, registration_id: str, record_status: str) -> None:
        handle = self._client.get_workflow_handle(c.workflow_id_for(registration_id))
        view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView, rpc_timeout=RPC_TIMEOUT)
        log.error(
            "Registration %s: the record says %s, its workflow %s; repairing the record "
            "from the workflow",
            registration_id,
            record_status,
            view.status,
        )
        await asyncio.to_thread(self._write, view)
        if self._counter is not None:
            self._counter.add(1)

    def _write(self, view: c.StatusView) -> None:
        records = RecordActivities(self._sessions)
        status = c.Status(view.status)
        if status == c.Status.APPROVED:
            records.activate_account(c.ActivateAccountRequest(view.registration_id))
        entered = view.steps[-1].at if view.steps else datetime.now(UTC).isoformat()
        records.record_status(
            c.RecordStatusRequest(
                registration_id=view.registration_id,
                status=view.status,
                deadline=view.deadline,
                at=entered,
                vat_result=view.vat_result,
                rejection_reason=view.rejection_reason,
                decided_by=view.decided_by,
            )
        )
        with self._sessions.begin() as session:
            reg = session.get(Registration, view.registration_id)
            assert reg is not None
            # What only a confirmation the workflow holds may say.
            reg.email_confirmed_at = (
                datetime.fromisoformat(view.email_confirmed_at) if view.email_confirmed_at else None
            )
            if status != c.Status.APPROVED:
                # No account is active without the workflow's approval.
                session.execute(
                    update(Account)
                    .where(Account.registration_id == reg.id, Account.active.is_(True))
                    .values(active=False, session_version=Account.session_version + 1)
                )
            if not status.is_final and reg.open_email is None:
                taken = session.scalars(
                    select(Registration.id).where(Registration.open_email == reg.email)
                ).first()
                if taken is None:  # the address has not started again meanwhile
                    reg.open_email = reg.email
