"""The web app's line to Temporal.

The Temporal client is asyncio and not thread-safe, Flask is threaded: one daemon thread
per process runs an event loop owning a single connected Client, and views submit
coroutines to it. Created lazily, so a gunicorn worker connects after fork.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from core.action_delivery import Applied, Refusal, deliver, payload_of
from workflows import contracts as c
from workflows.contracts import VatOnlyAnswer, vat_only_workflow_id
from workflows.mail import OutboxMailWorkflow
from workflows.registration import RegistrationWorkflow
from workflows.starting import START_ONCE, registration_start
from workflows.vat_only import VatOnlyWorkflow

T = TypeVar("T")
log = logging.getLogger(__name__)
CALL_TIMEOUT = 15.0


class BridgeError(Exception):
    """The root of what the bridge raises: Temporal silent, or the workflow's refusal."""


class TemporalUnavailable(BridgeError):
    """Temporal did not answer; the caller keeps what it stored and says so."""


class UpdateNotConfirmed(TemporalUnavailable):
    """The update was sent but its outcome did not arrive in time: it may still land
    (no worker had picked it up yet). Not a refusal: reload and see."""


class Refused(BridgeError):
    """The workflow refused the message and nothing changed. `kind` is the workflow's
    REFUSED_* type, `details` its details; a view tells the subclasses apart with
    isinstance (refusal() maps the workflow's types to them, here only)."""

    def __init__(self, message: str, kind: str | None = None, details: tuple = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


class AlreadyDecided(Refused):
    """Another answer to the review came first; `decided_by` names its author."""

    @property
    def decided_by(self) -> str:
        return str(self.details[0]) if self.details else ""


class NotInReview(Refused):
    """The registration is not awaiting review (not yet, or no longer)."""


class ChangesIncomplete(Refused):
    """A request for changes without a known group or without a message."""


class NoReason(Refused):
    """A rejection without a reason."""


class NotAwaitingConfirmation(Refused):
    """The confirmation window has ended (or the registration moved on)."""


class NotAwaitingCorrection(Refused):
    """No request for changes is open (answered, expired, or a newer round began)."""


class CorrectionBeingChecked(Refused):
    """A correction of this round is being checked with VIES; wait for its outcome."""


class ResendCooldown(Refused):
    """The confirmation email was sent a moment ago; `seconds` until it may be sent again."""

    def __init__(self, seconds: int) -> None:
        super().__init__("resend cool-down", c.REFUSED_RESEND_COOLDOWN, (seconds,))
        self.seconds = int(seconds)


REFUSALS: dict[str | None, type[Refused]] = {
    c.REFUSED_ALREADY_DECIDED: AlreadyDecided,
    c.REFUSED_NOT_IN_REVIEW: NotInReview,
    c.REFUSED_CHANGES_INCOMPLETE: ChangesIncomplete,
    c.REFUSED_NO_REASON: NoReason,
    c.REFUSED_NOT_AWAITING_CONFIRMATION: NotAwaitingConfirmation,
    c.REFUSED_NOT_AWAITING_CORRECTION: NotAwaitingCorrection,
    c.REFUSED_CORRECTION_BEING_CHECKED: CorrectionBeingChecked,
}


def refusal(err: Refusal) -> Refused:
    """The workflow's refusal as the Python exception the views catch."""
    details = tuple(err.details)
    if err.kind == c.REFUSED_RESEND_COOLDOWN and details:
        return ResendCooldown(int(details[0]))
    return REFUSALS.get(err.kind, Refused)(err.reason, err.kind, details)


class TemporalBridge:
    def __init__(self, address: str, namespace: str, task_queue: str) -> None:
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None
        self._pid: int | None = None
        self.call_timeout = CALL_TIMEOUT  # seconds a view waits for Temporal

    # --- plumbing -------------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="temporal-bridge", daemon=True
                )
                thread.start()
                self._loop, self._client, self._pid = loop, None, os.getpid()
            return self._loop

    def close(self) -> None:
        """Stop the bridge's loop (tests and orderly shutdown)."""
        with self._lock:
            loop, self._loop, self._client = self._loop, None, None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        for _ in range(100):
            if not loop.is_running():
                break
            threading.Event().wait(0.02)
        if not loop.is_running():
            loop.close()

    async def _get_client(self) -> Client:
        if self._client is None:
            self._client = await Client.connect(self.address, namespace=self.namespace)
        return self._client

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        timeout = self.call_timeout if timeout is None else timeout
        loop = self._ensure_loop()
        # The deadline is kept inside the loop, so the task ends with its own outcome and
        # hands it to the caller; cancelling it from here instead left its exception
        # unretrieved ("Task exception was never retrieved").
        future = asyncio.run_coroutine_threadsafe(_within(coro, timeout), loop)
        try:
            return future.result(timeout + 5)
        except WorkflowUpdateRPCTimeoutOrCancelledError as err:
            raise UpdateNotConfirmed(str(err) or "update not confirmed in time") from err
        except BridgeError:
            raise
        except (RPCError, RuntimeError, OSError, TimeoutError) as err:
            if not future.done():
                future.cancel()  # the loop itself is stuck: nothing will retrieve it
            raise TemporalUnavailable(str(err) or type(err).__name__) from err

    def _handle(self, client: Client, registration_id: str) -> WorkflowHandle:
        return client.get_workflow_handle(c.workflow_id_for(registration_id))

    # --- calls the views make -------------------------------------------------------

    def _start_once(self, workflow: Any, arg: Any, **options: Any) -> None:
        """Start a workflow whose id is used once (workflows.starting.START_ONCE). Starting
        it again (a retry after a lost answer, the worker's sweep) attaches to the running
        workflow; if it already ran and ended, there is nothing left to do."""

        async def start() -> None:
            client = await self._get_client()
            await client.start_workflow(workflow, arg, task_queue=self.task_queue, **options)

        try:
            self.run(start())
        except WorkflowAlreadyStartedError:
            log.info("Workflow %s has already run; not started again", options["id"])

    def start_registration(self, reg: c.RegistrationInput) -> None:
        self._start_once(RegistrationWorkflow.run, reg, **registration_start(reg))

    def start_and_await_vat(self, reg: c.RegistrationInput, seconds: float) -> c.StatusView | None:
        """Start the registration's workflow and wait for the VIES answer in one call
        (Update-with-Start, early return): the view once VIES has answered, None when it
        is still trying after `seconds` (the workflow runs on either way). A repeat
        attaches to the running workflow and gets the same Update's result.

        TemporalUnavailable when the workflow may not have started; the worker's sweep
        starts it later from the stored record."""
        options = registration_start(reg)

        async def start() -> c.StatusView:
            client = await self._get_client()
            operation = WithStartWorkflowOperation(
                RegistrationWorkflow.run, reg, task_queue=self.task_queue, **options
            )
            return await client.execute_update_with_start_workflow(
                RegistrationWorkflow.vat_answer,
                start_workflow_operation=operation,
                id=f"vat-answer-{reg.registration_id}",
                rpc_timeout=timedelta(seconds=seconds),
            )

        try:
            return self.run(start(), timeout=seconds + 1)
        except UpdateNotConfirmed:
            return None  # started (the start is durable before the Update); VIES is slow
        except WorkflowAlreadyStartedError:
            log.info("Workflow %s has already run; not started again", options["id"])
            return None

    def check_vat_only(self, req: c.VatCheckRequest, seconds: float) -> c.VatCheckResult | None:
        """The VIES check alone (VatOnlyWorkflow), for an address already registered, with
        the same bounded wait as start_and_await_vat: None when VIES has not answered in
        `seconds` (or stayed unavailable)."""

        async def check() -> VatOnlyAnswer | None:
            client = await self._get_client()
            handle = await client.start_workflow(
                VatOnlyWorkflow.run,
                req,
                id=vat_only_workflow_id(uuid.uuid4().hex),
                task_queue=self.task_queue,
                execution_timeout=timedelta(minutes=2),
            )
            try:
                return await asyncio.wait_for(handle.result(), seconds)
            except TimeoutError:
                return None  # VIES is slow; the workflow ends on its own

        answer = self.run(check(), timeout=seconds + 2)
        return answer.result if answer else None

    def start_outbox_mail(self, outbox_id: str) -> None:
        self._start_once(
            OutboxMailWorkflow.run,
            c.OutboxMailJob(outbox_id),
            id=c.mail_workflow_id_for(outbox_id),
            **START_ONCE,
        )

    def status(self, registration_id: str) -> c.StatusView:
        async def query() -> c.StatusView:
            client = await self._get_client()
            # A query needs a running worker: answer quickly from the record otherwise.
            return await self._handle(client, registration_id).query(
                RegistrationWorkflow.status, rpc_timeout=timedelta(seconds=5)
            )

        return self.run(query())

    def vat_attempts(self, registration_id: str) -> tuple[int, str | None]:
        """How often the VAT check was tried, and when the next try is due (ISO)."""

        async def describe() -> tuple[int, str | None]:
            client = await self._get_client()
            desc = await self._handle(client, registration_id).describe()
            for pending in desc.raw_description.pending_activities:
                if pending.activity_type.name == c.ACTIVITY_CHECK_VAT:
                    next_try = None
                    if pending.HasField("next_attempt_schedule_time"):
                        next_try = pending.next_attempt_schedule_time.ToDatetime().isoformat()
                    return pending.attempt, next_try
            return 0, None

        return self.run(describe())

    def deliver_action(
        self,
        *,
        registration_id: str,
        kind: str,
        action_id: str,
        payload: dict,
        seconds: float | None = None,
    ) -> Applied | Refusal:
        """Deliver a stored person's action (webapp/actions.py) as its Update, the row's id
        as the Update id. TemporalUnavailable (UpdateNotConfirmed when it was sent but not
        answered in time) leaves it for the worker's sweep to deliver again."""
        wait = max(1.0, self.call_timeout - 1) if seconds is None else seconds

        async def send() -> Applied | Refusal:
            client = await self._get_client()
            return await deliver(
                client,
                registration_id=registration_id,
                kind=kind,
                action_id=action_id,
                payload=payload,
                # Ends the wait before the view's deadline, as a timeout Temporal names
                # (WorkflowUpdateRPCTimeoutOrCancelledError).
                rpc_timeout=timedelta(seconds=wait),
            )

        return self.run(send(), timeout=None if seconds is None else seconds + 1)

    # --- direct Updates, without the inbox ---------------------------------------------
    # For tests and tools that set a registration up; a person's click goes through
    # webapp/actions.py (stored first), never through these.

    def decide(
        self, registration_id: str, decision: c.Decision, update_id: str
    ) -> c.DecisionResult:
        return self._update(registration_id, c.UPDATE_DECIDE, decision, update_id, c.DecisionResult)

    def ask_for_changes(
        self, registration_id: str, request: c.ChangesRequest, update_id: str
    ) -> c.DecisionResult:
        return self._update(
            registration_id, c.UPDATE_ASK_FOR_CHANGES, request, update_id, c.DecisionResult
        )

    def submit_correction(
        self, registration_id: str, correction: c.CorrectionSubmitted, seconds: float
    ) -> c.CorrectionOutcome | None:
        """None while VIES has not answered within `seconds`."""
        try:
            return self._update(
                registration_id,
                c.UPDATE_SUBMIT_CORRECTION,
                correction,
                f"correction-{correction.attempt_id}",
                c.CorrectionOutcome,
                seconds,
            )
        except UpdateNotConfirmed:
            return None

    def _update(
        self,
        registration_id: str,
        kind: str,
        arg: object,
        update_id: str,
        result_type: type[T],
        seconds: float | None = None,
    ) -> T:
        outcome = self.deliver_action(
            registration_id=registration_id,
            kind=kind,
            action_id=update_id,
            payload=payload_of(arg),
            seconds=seconds,
        )
        if isinstance(outcome, Refusal):
            raise refusal(outcome)
        assert isinstance(outcome.result, result_type)
        return outcome.result

    def ping(self) -> bool:
        async def check() -> bool:
            client = await self._get_client()
            return await client.service_client.check_health(timeout=timedelta(seconds=3))

        try:
            return bool(self.run(check(), timeout=5))
        except TemporalUnavailable:
            return False


async def _within(coro: Coroutine[Any, Any, T], seconds: float) -> T:
    async with asyncio.timeout(seconds):
        return await coro
