"""The worker's sweep: start what the web app stored while Temporal was unreachable,
deliver the people's actions still pending, and repair records from their workflows.

"Send Registration" stores the record first and starts the workflow second; support and
password mail goes to the outbox first. When Temporal is down the second step fails and
the row waits (workflow_started is false). Every worker process sweeps every
RESUME_SWEEP_INTERVAL with its own client, so a registration stored during an outage starts
within that interval of Temporal answering again, not only when a worker (re)starts.

Idempotent: workflow ids come from the rows and are started once (START_ONCE), so two
workers sweeping at the same moment, or a sweep racing the web app's own start, still
start each workflow once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker
from temporalio.client import Client
from temporalio.common import MetricCounter
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.runtime import Runtime
from temporalio.service import RPCError

from activities.reconcile import Reconciler
from activities.redelivery import ActionRedelivery
from core.config import Settings
from core.models import OutboxMessage, Registration
from core.workflow_input import workflow_input
from workflows import contracts as c
from workflows.starting import START_ONCE, registration_start

log = logging.getLogger("aos.worker.sweep")
RPC_TIMEOUT = timedelta(seconds=5)
BATCH = 200  # rows per sweep; the next sweep takes the rest


async def start_outbox_mail(client: Client, task_queue: str, outbox_id: str) -> bool:
    """Start one stored email's OutboxMailWorkflow (once: START_ONCE). False when Temporal
    did not take it; the row stays unstarted and the next sweep tries again."""
    return await _start_once(
        client,
        c.MAIL_WORKFLOW_NAME,
        c.OutboxMailJob(outbox_id),
        task_queue=task_queue,
        id=c.mail_workflow_id_for(outbox_id),
        **START_ONCE,
    )


async def _start_once(client: Client, workflow: str, arg: Any, **options: Any) -> bool:
    try:
        await client.start_workflow(workflow, arg, rpc_timeout=RPC_TIMEOUT, **options)
    except WorkflowAlreadyStartedError:
        pass  # it ran and ended already: started all the same
    except RPCError as err:
        log.warning("Could not start %s yet: %s", options["id"], err)
        return False
    return True


def mark_started(sessions: sessionmaker, model: Any, ids: list[str]) -> None:
    if ids:
        with sessions.begin() as session:
            session.execute(update(model).where(model.id.in_(ids)).values(workflow_started=True))


@dataclass
class SweepResult:
    registrations: int = 0
    emails: int = 0
    actions: int = 0  # people's actions delivered again that got their outcome
    repaired: int = 0  # records repaired from their workflows

    @property
    def total(self) -> int:
        return self.registrations + self.emails


def disagreement_counter(client: Client) -> MetricCounter:
    """Served on the worker's Prometheus endpoint with the SDK's metrics."""
    runtime = client.service_client.config.runtime or Runtime.default()
    return runtime.metric_meter.create_counter(
        "aos_record_workflow_disagreements_total",
        "Registration records found disagreeing with their workflow and repaired from it",
    )


class StartSweep:
    """Each sweep: start what waits, deliver the people's actions still pending
    (activities/redelivery.py), and compare a batch of records with their workflows
    (activities/reconcile.py)."""

    def __init__(self, client: Client, sessions: sessionmaker, settings: Settings) -> None:
        self._client = client
        self._sessions = sessions
        self._settings = settings
        self.redelivery = ActionRedelivery(client, sessions)
        self.reconciler = Reconciler(client, sessions, disagreement_counter(client))

    # --- database (run in a thread: the ORM is synchronous) -------------------------

    def _waiting(self) -> tuple[list[c.RegistrationInput], list[str]]:
        with self._sessions() as session:
            regs = session.scalars(
                select(Registration)
                .where(
                    Registration.workflow_started.is_(False),
                    Registration.open_email.is_not(None),
                )
                .order_by(Registration.created_at)
                .limit(BATCH)
            ).all()
            outbox = session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.workflow_started.is_(False))
                .order_by(OutboxMessage.created_at)
                .limit(BATCH)
            ).all()
            return [workflow_input(reg, self._settings) for reg in regs], list(outbox)

    # --- Temporal -------------------------------------------------------------------

    async def sweep_once(self) -> SweepResult:
        regs, outbox = await asyncio.to_thread(self._waiting)
        started_regs = [
            reg.registration_id
            for reg in regs
            if await _start_once(
                self._client,
                c.WORKFLOW_NAME,
                reg,
                task_queue=self._settings.temporal_task_queue,
                **registration_start(reg),
            )
        ]
        queue = self._settings.temporal_task_queue
        started_mail = [
            outbox_id
            for outbox_id in outbox
            if await start_outbox_mail(self._client, queue, outbox_id)
        ]
        await asyncio.to_thread(mark_started, self._sessions, Registration, started_regs)
        await asyncio.to_thread(mark_started, self._sessions, OutboxMessage, started_mail)
        actions = repaired = 0
        try:
            actions = await self.redelivery.redeliver_once()
            repaired = await self.reconciler.reconcile_once()
        except Exception as err:  # noqa: BLE001 - database or Temporal away: next sweep
            log.warning("Delivering stored actions or reconciling failed: %s", err)
        result = SweepResult(len(started_regs), len(started_mail), actions, repaired)
        if result.total:
            log.info(
                "Handed over %d registration(s) and %d email(s) stored while Temporal was "
                "unreachable (started, or found started by another worker)",
                result.registrations,
                result.emails,
            )
        return result

    async def run(self, stop: asyncio.Event, interval: timedelta) -> None:
        """Sweep now, then every `interval`, until `stop` is set. Never raises: a sweep
        that fails (database or Temporal away) is logged and tried again next time."""
        while not stop.is_set():
            try:
                await self.sweep_once()
            except Exception as err:  # noqa: BLE001 - the next sweep tries again
                log.warning("Sweep failed, trying again in %ss: %s", interval.seconds, err)
            try:
                await asyncio.wait_for(stop.wait(), interval.total_seconds())
            except TimeoutError:
                pass
