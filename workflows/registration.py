"""RegistrationWorkflow: owns one registration from "Send Registration" to its end.

VIES check → confirmation email → durable wait for the confirmation (CONFIRMATION_WINDOW)
→ wait for an administrator's decision (escalating after REVIEW_SLA) → activation or rejection.
Deterministic: time only through workflow.now(), side effects only in activities.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.changes import ChangesSteps
from workflows.confirmation import ConfirmationSteps

# VIES is often down: transient faults are retried with back-off until the horizon.
VIES_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    non_retryable_error_types=[c.ERROR_VAT_FINAL],
)

ESCALATION_REPEAT = timedelta(days=1)
# How long "Send Registration" shows a spinner for the VIES answer (the web app waits ~8 s).
VAT_ANSWER_SHOWN_ON_FORM = timedelta(seconds=20)
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


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@workflow.defn(name=c.WORKFLOW_NAME)
class RegistrationWorkflow(ConfirmationSteps, ChangesSteps):
    def __init__(self) -> None:
        self._registration_id = ""
        self._status = c.Status.VERIFYING_VAT
        self._deadline: datetime | None = None
        self._steps: list[c.Step] = []
        self._vat_result: c.VatCheckResult | None = None
        self._confirmed_at: datetime | None = None
        self._decision: c.Decision | None = None
        self._review_overdue = False
        self._summary_prefix = ""
        self._confirmation_sent_at: datetime | None = None
        self._resends = 0
        # Asking for changes (workflows/changes.py).
        self._changes: c.ChangesView | None = None
        self._changes_asked: c.ChangesRequest | None = None
        self._corrections = 0
        self._correction_in_check: c.CorrectionSubmitted | None = None
        self._correction_outcomes: dict[str, c.CorrectionOutcome] = {}
        self._company = c.VatCheckRequest("", "", "", "", "", "", "")

    # --- messages -------------------------------------------------------------------

    @workflow.query(name=c.QUERY_STATUS)
    def status(self) -> c.StatusView:
        return c.StatusView(
            registration_id=self._registration_id,
            status=self._status.value,
            deadline=_iso(self._deadline) if self._deadline else None,
            steps=list(self._steps),
            vat_result=self._vat_result,
            rejection_reason=self._decision.reason if self._decision else None,
            email_confirmed_at=_iso(self._confirmed_at) if self._confirmed_at else None,
            review_overdue=self._review_overdue,
            decided_by=self._decision.decided_by if self._decision else None,
            changes=self._changes,
            corrections=self._corrections,
        )

    @workflow.update(name=c.UPDATE_VAT_ANSWER)
    async def vat_answer(self) -> c.StatusView:
        """ "Send Registration" starts the workflow with this Update and gets the view the
        moment VIES has answered; the web app bounds how long it listens."""
        await workflow.wait_condition(lambda: self._status != c.Status.VERIFYING_VAT)
        return self.status()

    @workflow.update(name=c.UPDATE_DECIDE)
    async def decide(self, decision: c.Decision) -> c.DecisionResult:
        # Two decisions can be delivered in one workflow task, so the handler checks
        # again: the first one wins, the second is refused and changes nothing.
        if self._decision is not None or self._changes_asked is not None:
            raise self._already_decided()
        self._decision = decision
        # Returns once the decision is recorded: activation and the applicant's email
        # follow in the run, so a reviewer never waits for SMTP or the database.
        outcome = c.Status.APPROVED if decision.approve else c.Status.REJECTED
        return c.DecisionResult(status=outcome.value, decided_by=decision.decided_by)

    @decide.validator
    def _validate_decide(self, decision: c.Decision) -> None:
        self._refuse_outside_review()
        if not decision.approve and not decision.reason.strip():
            raise ApplicationError(
                "A rejection needs a reason.", type=c.REFUSED_NO_REASON, non_retryable=True
            )

    def _refuse_outside_review(self) -> None:
        """decide() and ask_for_changes(): one answer per review, only in review."""
        if self._decision is not None or self._changes_asked is not None:
            raise self._already_decided()
        if self._status != c.Status.AWAITING_REVIEW:
            raise ApplicationError(
                f"Registration is not awaiting review: {self._status}",
                self._status.value,
                type=c.REFUSED_NOT_IN_REVIEW,
                non_retryable=True,
            )

    def _already_decided(self) -> ApplicationError:
        answered_by = (
            self._decision.decided_by
            if self._decision is not None
            else self._changes_asked.requested_by
            if self._changes_asked is not None
            else ""
        )
        return ApplicationError(
            "This registration has already been decided.",
            answered_by,
            type=c.REFUSED_ALREADY_DECIDED,
            non_retryable=True,
        )

    # --- the process ----------------------------------------------------------------

    @workflow.run
    async def run(self, reg: c.RegistrationInput) -> str:
        self._registration_id = reg.registration_id
        user_type = c.USER_TYPE_LABELS.get(reg.user_type, reg.user_type)
        self._summary_prefix = f"{reg.country_code}{reg.vat_number} · {user_type}"
        self._company = c.VatCheckRequest.of(reg)
        await self._enter(c.Status.VERIFYING_VAT)

        started = workflow.info().workflow_start_time
        vat = await self._check_vat(reg)
        # The applicant waited on the form only briefly; after that they learn by email.
        delayed = workflow.now() - started > VAT_ANSWER_SHOWN_ON_FORM
        if vat is None:
            await self._enter(c.Status.VAT_CHECK_FAILED)
            await self._email(c.EmailKind.VAT_CHECK_FAILED)
            return self._status.value
        self._vat_result = vat
        if not vat.valid or not vat.matches:
            await self._enter(c.Status.VAT_MISMATCH)
            if delayed:
                await self._email(c.EmailKind.VAT_CHECK_DELAYED_MISMATCH)
            return self._status.value

        # The window runs from "Send Registration" (workflow start), not from the email.
        window_end = started + timedelta(seconds=reg.confirmation_window_seconds)
        await self._enter(c.Status.AWAITING_EMAIL_CONFIRMATION, deadline=window_end)
        # Before the send: the email can arrive before its activity's completion reaches
        # the workflow, and a resend clicked then meets the cool-down, not a refusal.
        self._confirmation_sent_at = workflow.now()
        await self._email(c.EmailKind.CONFIRMATION, deadline=window_end, vat_delayed=delayed)
        remind_at = window_end - timedelta(seconds=reg.reminder_before_expiry_seconds)
        confirmed = await self._wait_until(lambda: self._confirmed_at is not None, remind_at)
        if not confirmed:
            await self._email(c.EmailKind.CONFIRMATION_REMINDER, deadline=window_end)
            confirmed = await self._wait_until(lambda: self._confirmed_at is not None, window_end)
        if not confirmed:
            await self._enter(c.Status.EXPIRED)
            await self._email(c.EmailKind.EXPIRED)
            return self._status.value

        if not await self._review(reg):
            await self._enter(c.Status.EXPIRED)
            await self._email(c.EmailKind.CHANGES_EXPIRED)
            return await self._finish()

        decision = self._decision
        assert decision is not None
        if decision.approve:
            # No account is active before the history holds the approval.
            await self._durable(
                c.ACTIVITY_ACTIVATE_ACCOUNT, c.ActivateAccountRequest(reg.registration_id)
            )
            await self._enter(c.Status.APPROVED, decided_by=decision.decided_by)
            await self._email(c.EmailKind.ACTIVATED)
        else:
            await self._enter(
                c.Status.REJECTED,
                decided_by=decision.decided_by,
                reason=decision.reason,
                durable=True,
            )
            await self._email(c.EmailKind.REJECTED, reason=decision.reason)
        return await self._finish()

    async def _review(self, reg: c.RegistrationInput) -> bool:
        """Wait for an administrator's decision (escalating after REVIEW_SLA); each request
        for changes is a round with the applicant, and the SLA pauses meanwhile. False when
        the applicant let a round's window end."""
        review_due = workflow.now() + timedelta(seconds=reg.review_sla_seconds)
        # The confirmation's Update was accepted in this very task: the record says
        # "confirmed" only once the history does.
        await self._enter(c.Status.AWAITING_REVIEW, deadline=review_due, durable=True)
        # Reviewers hear of it by email; the email is queued, so the wait for the
        # decision never waits for SMTP.
        await self._email(c.EmailKind.REVIEW_REQUESTED)
        escalations = 0
        while True:
            answered = await self._wait_until(
                lambda: self._decision is not None or self._changes_asked is not None, review_due
            )
            if not answered:
                # Service level missed: tell the administrators, keep waiting, remind daily.
                self._review_overdue = True
                workflow.upsert_search_attributes([c.OVERDUE_KEY.value_set(True)])
                escalations += 1
                await self._email(c.EmailKind.REVIEW_OVERDUE, key=f"review_overdue-{escalations}")
                review_due = workflow.now() + ESCALATION_REPEAT
                continue
            if self._decision is not None:
                return True
            sla_left = max(review_due - workflow.now(), timedelta(0))
            if not await self._changes_round(reg):
                return False
            assert self._changes is not None
            review_due = workflow.now() + sla_left
            await self._enter(c.Status.AWAITING_REVIEW, deadline=review_due)
            await self._email(
                c.EmailKind.CORRECTION_RECEIVED, key=f"correction_received-{self._changes.round}"
            )

    async def _finish(self) -> str:
        # Let the Update handlers return their results before the run completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status.value

    # --- helpers --------------------------------------------------------------------

    async def _check_vat(self, reg: c.RegistrationInput) -> c.VatCheckResult | None:
        return await self._check_vat_request(self._company, reg.vies_retry_horizon_seconds)

    async def _check_vat_request(
        self, request: c.VatCheckRequest, horizon_seconds: int
    ) -> c.VatCheckResult | None:
        """The VIES result, or None when VIES stayed unavailable past the horizon."""
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
                # INVALID_INPUT and friends: final; the number is reported as not valid.
                return c.VatCheckResult(valid=False, matches=False)
            return None

    async def _enter(
        self,
        status: c.Status,
        *,
        deadline: datetime | None = None,
        decided_by: str | None = None,
        reason: str | None = None,
        durable: bool = False,
    ) -> None:
        """Enter a status: the workflow's state, the search attribute, the Web UI's details
        and the record. `durable`: the record is written by a regular activity, for the
        first write after a person's action (Steps._durable says why)."""
        now = workflow.now()
        self._status = status
        self._deadline = deadline
        self._steps.append(c.Step(status=status.value, at=_iso(now)))
        # The start sets VERIFYING_VAT already (workflows/starting.py): an upsert only
        # when the value changes, one history event fewer.
        if workflow.info().typed_search_attributes.get(c.STATUS_KEY) != status.value:
            workflow.upsert_search_attributes([c.STATUS_KEY.value_set(status.value)])
        # What the Temporal Web UI shows operators, e.g.
        # "HU12345678 · Independent workshop/dealer · awaiting review".
        workflow.set_current_details(
            f"{self._summary_prefix} · {STATUS_WORDS[status]}"
            + (f" until {_iso(deadline)[:16]} UTC" if deadline else "")
        )
        write = self._durable if durable else self._local
        await write(
            c.ACTIVITY_RECORD_STATUS,
            c.RecordStatusRequest(
                registration_id=self._registration_id,
                status=status.value,
                deadline=_iso(deadline) if deadline else None,
                at=_iso(now),
                vat_result=self._vat_result,
                rejection_reason=reason,
                decided_by=decided_by,
            ),
        )
