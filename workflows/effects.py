"""The effects RegistrationWorkflow's steps may use: entering a status, database writes,
queued emails, the VIES check and waiting for a condition until a moment. Handed the state
they act on; the steps (workflows/registration.py, workflows/changes.py) get an Effects
rather than calling back into the workflow. Deterministic, like the workflow itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.policies import DB_RETRY, VIES_RETRY
from workflows.state import RegistrationState, iso

STATUS_WORDS = {
    c.Status.VERIFYING_VAT: "checking VAT number",
    c.Status.VAT_MISMATCH: "VAT data mismatch",
    c.Status.VAT_CHECK_FAILED: "VAT check failed",
    c.Status.AWAITING_EMAIL_CONFIRMATION: "awaiting email confirmation",
    c.Status.EXPIRED: "expired",
    c.Status.AWAITING_REVIEW: "awaiting review",
    c.Status.CHANGES_REQUESTED: "waiting for the applicant's changes",
    c.Status.APPROVED: "approved",
    c.Status.REJECTED: "rejected",
}


async def check_vat(request: c.VatCheckRequest, horizon_seconds: int) -> c.VatCheckResult | None:
    """The one VIES check step: the result, or None when VIES stayed unavailable past the
    horizon. A final VIES answer (INVALID_INPUT and friends) reads as "not valid"."""
    try:
        return await workflow.execute_activity(
            c.ACTIVITY_CHECK_VAT,
            request,
            result_type=c.VatCheckResult,
            start_to_close_timeout=timedelta(seconds=60),
            schedule_to_close_timeout=timedelta(seconds=horizon_seconds),
            retry_policy=VIES_RETRY,
        )
    except ActivityError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type == c.ERROR_VAT_FINAL:
            return c.VatCheckResult(valid=False, matches=False)
        return None


async def wait_until(condition: Callable[[], bool], until: datetime) -> bool:
    """Wait for `condition` until the moment `until`; whether it came true."""
    remaining = (until - workflow.now()).total_seconds()
    if condition():
        return True
    if remaining <= 0:
        return False
    try:
        await workflow.wait_condition(condition, timeout=timedelta(seconds=remaining))
    except TimeoutError:
        return condition()
    return True


class Effects:
    def __init__(self, state: RegistrationState) -> None:
        self._state = state

    async def local(self, activity: str, arg: object) -> None:
        """A database write as a local activity (DB_RETRY in workflows/policies.py)."""
        await workflow.execute_local_activity(
            activity, arg, start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY
        )

    async def durable(self, activity: str, arg: object) -> None:
        """The first database write after a person's action, as a regular activity.

        A local activity runs inside the workflow task that accepted the Update, before that
        task is in the history: if the server stops then, the row would claim a state (an
        email confirmed, an active account) that the workflow never durably reached, and
        the Update is forgotten. A regular activity is scheduled by the task's completion,
        so it runs only once the history holds the accepted Update. Costs five history
        events and a round trip per action (ARCHITECTURE.md)."""
        await workflow.execute_activity(
            activity, arg, start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY
        )

    async def email(
        self,
        kind: c.EmailKind,
        *,
        key: str | None = None,
        deadline: datetime | None = None,
        reason: str | None = None,
        vat_delayed: bool = False,
    ) -> None:
        """Queue the email: its OutboxMailWorkflow retries delivery until SMTP takes it, so
        nothing here waits for SMTP (a decision never waits for mail)."""
        await self.local(
            c.ACTIVITY_QUEUE_EMAIL,
            c.SendEmailRequest(
                registration_id=self._state.registration_id,
                kind=kind.value,
                purpose_key=key or kind.value,
                deadline=iso(deadline) if deadline else None,
                reason=reason,
                vat_check_delayed=vat_delayed,
            ),
        )

    async def enter(
        self,
        status: c.Status,
        *,
        deadline: datetime | None = None,
        decided_by: str | None = None,
        reason: str | None = None,
        durable: bool = False,
    ) -> None:
        """Enter a status: the state, the search attribute, the Web UI's details and the
        record. `durable`: the record is written by a regular activity, for the first write
        after a person's action (Effects.durable says why)."""
        state = self._state
        now = workflow.now()
        state.status = status
        state.deadline = deadline
        state.steps.append(c.Step(status=status.value, at=iso(now)))
        # The start sets VERIFYING_VAT already (workflows/starting.py): an upsert only
        # when the value changes, one history event fewer.
        if workflow.info().typed_search_attributes.get(c.STATUS_KEY) != status.value:
            workflow.upsert_search_attributes([c.STATUS_KEY.value_set(status.value)])
        # What the Temporal Web UI shows operators, e.g.
        # "HU12345678 · Independent workshop/dealer · awaiting review".
        workflow.set_current_details(
            f"{state.summary_prefix} · {STATUS_WORDS[status]}"
            + (f" until {iso(deadline)[:16]} UTC" if deadline else "")
        )
        write = self.durable if durable else self.local
        await write(
            c.ACTIVITY_RECORD_STATUS,
            c.RecordStatusRequest(
                registration_id=state.registration_id,
                status=status.value,
                deadline=iso(deadline) if deadline else None,
                at=iso(now),
                vat_result=state.vat_result,
                rejection_reason=reason,
                decided_by=decided_by,
            ),
        )
