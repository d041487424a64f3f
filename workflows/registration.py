"""RegistrationWorkflow: owns one registration from "Send Registration" to its end.

VIES check → confirmation email → durable wait for the confirmation (CONFIRMATION_WINDOW)
→ wait for an administrator's answer (escalating after REVIEW_SLA): approve, reject, or
ask for changes (a round with the applicant, workflows/changes.py) → activation or
rejection. Its whole public surface is on this page: the Query, every Update and its
validator. The state is one dataclass (workflows/state.py); the side effects go through
Effects (workflows/effects.py). Deterministic: time only through workflow.now().
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.changes import changes_round
from workflows.effects import Effects, check_vat, wait_until
from workflows.state import RegistrationState

ESCALATION_REPEAT = timedelta(days=1)
# How long "Send Registration" shows a spinner for the VIES answer (the web app waits ~8 s).
VAT_ANSWER_SHOWN_ON_FORM = timedelta(seconds=20)


def _refused(kind: str, message: str, *details: object) -> ApplicationError:
    """A refusal: final, typed (workflows.contracts.REFUSED_*), changing nothing."""
    return ApplicationError(message, *details, type=kind, non_retryable=True)


@workflow.defn(name=c.WORKFLOW_NAME)
class RegistrationWorkflow:
    def __init__(self) -> None:
        self._state = RegistrationState()
        self._fx = Effects(self._state)

    # --- the Query ------------------------------------------------------------------

    @workflow.query(name=c.QUERY_STATUS)
    def status(self) -> c.StatusView:
        return self._state.view()

    # --- Updates: "Send Registration" and the applicant's link ----------------------

    @workflow.update(name=c.UPDATE_VAT_ANSWER)
    async def vat_answer(self) -> c.StatusView:
        """ "Send Registration" starts the workflow with this Update and gets the view the
        moment VIES has answered; the web app bounds how long it listens."""
        await workflow.wait_condition(lambda: self._state.status != c.Status.VERIFYING_VAT)
        return self.status()

    @workflow.update(name=c.UPDATE_CONFIRM_EMAIL)
    async def confirm_email(self, request: c.ConfirmEmailRequest) -> str:
        state = self._state
        if state.confirmed_at is None:
            state.confirmed_at = workflow.now()
        await workflow.wait_condition(lambda: state.status != c.Status.AWAITING_EMAIL_CONFIRMATION)
        return state.status.value

    @confirm_email.validator
    def _validate_confirm_email(self, request: c.ConfirmEmailRequest) -> None:
        state = self._state
        if state.confirmed_at is not None:
            return  # a second click on the link is harmless
        if state.status != c.Status.AWAITING_EMAIL_CONFIRMATION or state.window_closed(
            workflow.now()
        ):
            raise self._not_awaiting_confirmation()

    @workflow.update(name=c.UPDATE_RESEND_CONFIRMATION)
    async def resend_confirmation(self, request: c.ResendRequest) -> str:
        state = self._state
        state.resends += 1
        state.confirmation_sent_at = workflow.now()
        await self._fx.email(
            c.EmailKind.CONFIRMATION,
            key=f"confirmation-resend-{state.resends}",
            deadline=state.deadline,  # a resend does not extend the window
        )
        return "sent"

    @resend_confirmation.validator
    def _validate_resend(self, request: c.ResendRequest) -> None:
        state = self._state
        now = workflow.now()
        if (
            state.status != c.Status.AWAITING_EMAIL_CONFIRMATION
            or state.confirmed_at is not None
            or state.confirmation_sent_at is None
            or state.window_closed(now)
        ):
            raise self._not_awaiting_confirmation()
        since = (now - state.confirmation_sent_at).total_seconds()
        if since < c.RESEND_COOLDOWN_SECONDS:
            raise _refused(
                c.REFUSED_RESEND_COOLDOWN,
                "The confirmation email was sent a moment ago.",
                int(c.RESEND_COOLDOWN_SECONDS - since) + 1,
            )

    # --- Updates: the review (first answer wins) ------------------------------------

    @workflow.update(name=c.UPDATE_DECIDE)
    async def decide(self, decision: c.Decision) -> c.DecisionResult:
        # Returns once the decision is recorded: activation and the applicant's email
        # follow in the run, so a reviewer never waits for SMTP or the database.
        self._take_answer()
        self._state.decision = decision
        outcome = c.Status.APPROVED if decision.approve else c.Status.REJECTED
        return c.DecisionResult(status=outcome.value, decided_by=decision.decided_by)

    @decide.validator
    def _validate_decide(self, decision: c.Decision) -> None:
        self._refuse_outside_review()
        if not decision.approve and not decision.reason.strip():
            raise _refused(c.REFUSED_NO_REASON, "A rejection needs a reason.")

    @workflow.update(name=c.UPDATE_ASK_FOR_CHANGES)
    async def ask_for_changes(self, request: c.ChangesRequest) -> c.DecisionResult:
        self._take_answer()
        self._state.changes_asked = request
        return c.DecisionResult(
            status=c.Status.CHANGES_REQUESTED.value, decided_by=request.requested_by
        )

    @ask_for_changes.validator
    def _validate_ask_for_changes(self, request: c.ChangesRequest) -> None:
        self._refuse_outside_review()
        groups = set(request.groups)
        if not groups or not groups <= set(c.CHANGE_GROUPS) or not request.message.strip():
            raise _refused(
                c.REFUSED_CHANGES_INCOMPLETE,
                "Ask for changes needs at least one field and a message.",
            )

    # --- Update: the applicant's correction (the handshake: workflows/changes.py) ---

    @workflow.update(name=c.UPDATE_SUBMIT_CORRECTION)
    async def submit_correction(self, correction: c.CorrectionSubmitted) -> c.CorrectionOutcome:
        state = self._state
        if correction.attempt_id not in state.correction_outcomes:
            if state.correction_in_check is not None:
                raise self._being_checked()
            state.correction_in_check = correction
        await workflow.wait_condition(lambda: correction.attempt_id in state.correction_outcomes)
        return state.correction_outcomes[correction.attempt_id]

    @submit_correction.validator
    def _validate_correction(self, correction: c.CorrectionSubmitted) -> None:
        state = self._state
        if correction.attempt_id in state.correction_outcomes:
            return  # the same attempt again: its outcome is known
        changes = state.changes
        if (
            state.status != c.Status.CHANGES_REQUESTED
            or changes is None
            or correction.round != changes.round
            or state.window_closed(workflow.now())
        ):
            raise _refused(
                c.REFUSED_NOT_AWAITING_CORRECTION,
                f"No request for changes is open in round {correction.round}: {state.status}",
                state.status.value,
            )
        if state.correction_in_check is not None:
            raise self._being_checked()

    # --- refusals -------------------------------------------------------------------

    def _take_answer(self) -> None:
        """First answer wins. Checked again in the handler: two answers can be delivered
        in one workflow task, both past their validators; the second changes nothing."""
        answered_by = self._state.first_answer()
        if answered_by is not None:
            raise _refused(
                c.REFUSED_ALREADY_DECIDED,
                "This registration has already been decided.",
                answered_by,
            )

    def _refuse_outside_review(self) -> None:
        """decide() and ask_for_changes(): one answer per review, only in review."""
        self._take_answer()
        status = self._state.status
        if status != c.Status.AWAITING_REVIEW:
            raise _refused(
                c.REFUSED_NOT_IN_REVIEW,
                f"Registration is not awaiting review: {status}",
                status.value,
            )

    def _not_awaiting_confirmation(self) -> ApplicationError:
        status = self._state.status
        return _refused(
            c.REFUSED_NOT_AWAITING_CONFIRMATION,
            f"Registration is not awaiting email confirmation: {status}",
            status.value,
        )

    def _being_checked(self) -> ApplicationError:
        return _refused(
            c.REFUSED_CORRECTION_BEING_CHECKED, "A correction is being checked with VIES."
        )

    # --- the process ----------------------------------------------------------------

    @workflow.run
    async def run(self, reg: c.RegistrationInput) -> str:
        state, fx = self._state, self._fx
        state.registration_id = reg.registration_id
        user_type = c.USER_TYPE_LABELS.get(reg.user_type, reg.user_type)
        state.summary_prefix = f"{reg.country_code}{reg.vat_number} · {user_type}"
        state.company = c.VatCheckRequest.of(reg)
        await fx.enter(c.Status.VERIFYING_VAT)

        started = workflow.info().workflow_start_time
        vat = await check_vat(state.company, reg.vies_retry_horizon_seconds)
        # The applicant waited on the form only briefly; after that they learn by email.
        delayed = workflow.now() - started > VAT_ANSWER_SHOWN_ON_FORM
        if vat is None:
            await fx.enter(c.Status.VAT_CHECK_FAILED)
            await fx.email(c.EmailKind.VAT_CHECK_FAILED)
            return state.status.value
        state.vat_result = vat
        if not vat.valid or not vat.matches:
            await fx.enter(c.Status.VAT_MISMATCH)
            if delayed:
                await fx.email(c.EmailKind.VAT_CHECK_DELAYED_MISMATCH)
            return state.status.value

        # The window runs from "Send Registration" (workflow start), not from the email.
        window_end = started + timedelta(seconds=reg.confirmation_window_seconds)
        await fx.enter(c.Status.AWAITING_EMAIL_CONFIRMATION, deadline=window_end)
        # Before the send: the email can arrive before its activity's completion reaches
        # the workflow, and a resend clicked then meets the cool-down, not a refusal.
        state.confirmation_sent_at = workflow.now()
        await fx.email(c.EmailKind.CONFIRMATION, deadline=window_end, vat_delayed=delayed)
        remind_at = window_end - timedelta(seconds=reg.reminder_before_expiry_seconds)
        confirmed = await wait_until(lambda: state.confirmed_at is not None, remind_at)
        if not confirmed:
            await fx.email(c.EmailKind.CONFIRMATION_REMINDER, deadline=window_end)
            confirmed = await wait_until(lambda: state.confirmed_at is not None, window_end)
        if not confirmed:
            await fx.enter(c.Status.EXPIRED)
            await fx.email(c.EmailKind.EXPIRED)
            return state.status.value

        if not await self._review(reg):
            await fx.enter(c.Status.EXPIRED)
            await fx.email(c.EmailKind.CHANGES_EXPIRED)
            return await self._finish()

        decision = state.decision
        assert decision is not None
        if decision.approve:
            # No account is active before the history holds the approval.
            await fx.durable(
                c.ACTIVITY_ACTIVATE_ACCOUNT, c.ActivateAccountRequest(reg.registration_id)
            )
            await fx.enter(c.Status.APPROVED, decided_by=decision.decided_by)
            await fx.email(c.EmailKind.ACTIVATED)
        else:
            await fx.enter(
                c.Status.REJECTED,
                decided_by=decision.decided_by,
                reason=decision.reason,
                durable=True,
            )
            await fx.email(c.EmailKind.REJECTED, reason=decision.reason)
        return await self._finish()

    async def _review(self, reg: c.RegistrationInput) -> bool:
        """Wait for an administrator's answer (escalating after REVIEW_SLA); each request
        for changes is a round with the applicant, and the SLA pauses meanwhile. False when
        the applicant let a round's window end."""
        state, fx = self._state, self._fx
        review_due = workflow.now() + timedelta(seconds=reg.review_sla_seconds)
        # The confirmation's Update was accepted in this very task: the record says
        # "confirmed" only once the history does.
        await fx.enter(c.Status.AWAITING_REVIEW, deadline=review_due, durable=True)
        # Reviewers hear of it by email; the email is queued, so the wait for the
        # decision never waits for SMTP.
        await fx.email(c.EmailKind.REVIEW_REQUESTED)
        escalations = 0
        while True:
            answered = await wait_until(lambda: state.first_answer() is not None, review_due)
            if not answered:
                # Service level missed: tell the administrators, keep waiting, remind daily.
                state.review_overdue = True
                workflow.upsert_search_attributes([c.OVERDUE_KEY.value_set(True)])
                escalations += 1
                await fx.email(c.EmailKind.REVIEW_OVERDUE, key=f"review_overdue-{escalations}")
                review_due = workflow.now() + ESCALATION_REPEAT
                continue
            if state.decision is not None:
                return True
            sla_left = max(review_due - workflow.now(), timedelta(0))
            if not await changes_round(state, fx, reg):
                return False
            assert state.changes is not None
            review_due = workflow.now() + sla_left
            await fx.enter(c.Status.AWAITING_REVIEW, deadline=review_due)
            await fx.email(
                c.EmailKind.CORRECTION_RECEIVED, key=f"correction_received-{state.changes.round}"
            )

    async def _finish(self) -> str:
        # Let the Update handlers return their results before the run completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.status.value
