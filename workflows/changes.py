"""Asking for changes: the third answer to a review, beside approve and reject.

The administrator's request (ask_for_changes) hands the registration to the applicant for
CHANGES_WINDOW, with a reminder before its end; each correction (submit_correction) is
checked with VIES when it touches the company name or address, and either goes back to the
review queue or is refused with the mismatch, leaving the round open. No answer in time:
the registration expires. Mixed into RegistrationWorkflow; deterministic like it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.steps import Steps


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class ChangesSteps(Steps):
    """RegistrationWorkflow's handlers and steps for "Ask for changes"; the workflow sets
    these attributes in its __init__ and provides _enter, _check_vat_request and
    _already_decided."""

    _status: c.Status
    _decision: c.Decision | None
    _vat_result: c.VatCheckResult | None
    _changes: c.ChangesView | None
    _changes_asked: c.ChangesRequest | None
    _corrections: int
    _correction_in_check: c.CorrectionSubmitted | None
    _correction_outcomes: dict[str, c.CorrectionOutcome]
    _company: c.VatCheckRequest
    _enter: Callable[..., Awaitable[None]]
    _check_vat_request: Callable[..., Awaitable[c.VatCheckResult | None]]
    _already_decided: Callable[[], ApplicationError]
    _refuse_outside_review: Callable[[], None]

    # --- messages -------------------------------------------------------------------

    @workflow.update(name=c.UPDATE_ASK_FOR_CHANGES)
    async def ask_for_changes(self, request: c.ChangesRequest) -> c.DecisionResult:
        # As with decide(): two answers in one workflow task, the first one wins.
        if self._decision is not None or self._changes_asked is not None:
            raise self._already_decided()
        self._changes_asked = request
        return c.DecisionResult(
            status=c.Status.CHANGES_REQUESTED.value, decided_by=request.requested_by
        )

    @ask_for_changes.validator
    def _validate_ask_for_changes(self, request: c.ChangesRequest) -> None:
        self._refuse_outside_review()
        groups = set(request.groups)
        if not groups or not groups <= set(c.CHANGE_GROUPS) or not request.message.strip():
            raise ApplicationError(
                "Ask for changes needs at least one field and a message.",
                type=c.REFUSED_CHANGES_INCOMPLETE,
                non_retryable=True,
            )

    @workflow.update(name=c.UPDATE_SUBMIT_CORRECTION)
    async def submit_correction(self, correction: c.CorrectionSubmitted) -> c.CorrectionOutcome:
        if correction.attempt_id not in self._correction_outcomes:
            if self._correction_in_check is not None:
                raise self._being_checked()
            self._correction_in_check = correction
        await workflow.wait_condition(lambda: correction.attempt_id in self._correction_outcomes)
        return self._correction_outcomes[correction.attempt_id]

    @submit_correction.validator
    def _validate_correction(self, correction: c.CorrectionSubmitted) -> None:
        if correction.attempt_id in self._correction_outcomes:
            return  # the same attempt again: its outcome is known
        changes = self._changes
        if (
            self._status != c.Status.CHANGES_REQUESTED
            or changes is None
            or correction.round != changes.round
            or self._window_closed()
        ):
            raise ApplicationError(
                f"No request for changes is open in round {correction.round}: {self._status}",
                self._status.value,
                type=c.REFUSED_NOT_AWAITING_CORRECTION,
                non_retryable=True,
            )
        if self._correction_in_check is not None:
            raise self._being_checked()

    def _being_checked(self) -> ApplicationError:
        return ApplicationError(
            "A correction is being checked with VIES.",
            type=c.REFUSED_CORRECTION_BEING_CHECKED,
            non_retryable=True,
        )

    # --- the round ------------------------------------------------------------------

    async def _changes_round(self, reg: c.RegistrationInput) -> bool:
        """One round: record the request, email the applicant, wait for an accepted
        correction until CHANGES_WINDOW ends. False when it ended without one."""
        asked = self._changes_asked
        assert asked is not None
        now = workflow.now()
        deadline = now + timedelta(seconds=reg.changes_window_seconds)
        round_no = self._changes.round + 1 if self._changes else 1
        self._changes = c.ChangesView(
            round=round_no,
            groups=list(asked.groups),
            message=asked.message,
            requested_at=_iso(now),
            deadline=_iso(deadline),
            requested_by=asked.requested_by,
        )
        # The first write after the administrator's Update (Steps._durable).
        await self._durable(
            c.ACTIVITY_RECORD_CHANGES,
            c.RecordChangesRequest(
                registration_id=reg.registration_id,
                round=round_no,
                groups=list(asked.groups),
                message=asked.message,
                requested_by=asked.requested_by,
                at=_iso(now),
                deadline=_iso(deadline),
            ),
        )
        await self._enter(c.Status.CHANGES_REQUESTED, deadline=deadline)
        self._changes_asked = None
        await self._email(
            c.EmailKind.CHANGES_REQUESTED, key=f"changes_requested-{round_no}", deadline=deadline
        )
        remind_at = deadline - timedelta(seconds=reg.changes_reminder_before_seconds)
        reminded = False
        while True:
            arrived = await self._wait_until(
                lambda: self._correction_in_check is not None,
                deadline if reminded else remind_at,
            )
            if arrived:
                if await self._check_correction(reg, round_no):
                    return True
            elif not reminded:
                reminded = True
                await self._email(
                    c.EmailKind.CHANGES_REMINDER,
                    key=f"changes_reminder-{round_no}",
                    deadline=deadline,
                )
            else:
                return False

    async def _check_correction(self, reg: c.RegistrationInput, round_no: int) -> bool:
        """Check the correction in hand with VIES (when it touches the company data) and
        record its outcome; True when it was accepted."""
        correction = self._correction_in_check
        changes = self._changes
        assert correction is not None and changes is not None
        checked = dataclasses.replace(
            self._company,
            company_name=correction.company_name,
            street=correction.street,
            postcode=correction.postcode,
            city=correction.city,
            # A corrected address is the applicant's own again, compared as typed.
            adopted_address="" if "address" in changes.groups else self._company.adopted_address,
        )
        vat = self._vat_result
        if c.VIES_CHECKED_GROUPS & set(changes.groups):
            answer = await self._check_vat_request(checked, reg.vies_retry_horizon_seconds)
            if answer is not None and not (answer.valid and answer.matches):
                # The round stays open: the applicant sees the mismatch and may send again.
                changes.rejected_vat_result = answer
                await self._answer_correction(reg, round_no, correction, False, answer)
                return False
            # VIES unavailable past the horizon: the administrator sees it was not rechecked.
            vat = answer or dataclasses.replace(
                vat or c.VatCheckResult(valid=True, matches=False),
                flag_reason=c.VIES_FLAG_NOT_RECHECKED,
            )
        self._company = checked
        self._vat_result = vat
        self._corrections += 1
        changes.rejected_vat_result = None
        await self._answer_correction(reg, round_no, correction, True, vat)
        return True

    async def _answer_correction(
        self,
        reg: c.RegistrationInput,
        round_no: int,
        correction: c.CorrectionSubmitted,
        accepted: bool,
        vat: c.VatCheckResult | None,
    ) -> None:
        """Record the correction's outcome, then give it to the waiting Update. Durable: a
        correction that needs no VIES check reaches here in the task that accepted it."""
        await self._durable(
            c.ACTIVITY_RECORD_CORRECTION,
            c.RecordCorrectionRequest(
                registration_id=reg.registration_id,
                round=round_no,
                attempt_id=correction.attempt_id,
                accepted=accepted,
                at=_iso(workflow.now()),
                vat_result=vat,
            ),
        )
        status = c.Status.AWAITING_REVIEW if accepted else c.Status.CHANGES_REQUESTED
        self._correction_outcomes[correction.attempt_id] = c.CorrectionOutcome(
            accepted=accepted, status=status.value, vat_result=vat
        )
        self._correction_in_check = None
