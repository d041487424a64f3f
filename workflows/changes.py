"""A round of "Ask for changes", the third answer to a review beside approve and reject.

The administrator's request hands the registration to the applicant for CHANGES_WINDOW,
with a reminder before its end; each correction is checked with VIES when it touches the
company name or address, and either goes back to the review queue or is refused with the
mismatch, leaving the round open. No answer in time: the registration expires.

The correction handshake. The `submit_correction` Update (workflows/registration.py)
cannot check VIES itself: an activity run from a handler would race the run loop. So the
handler only hands the correction over (`state.correction_in_check`) and waits for its
outcome under the attempt's id (`state.correction_outcomes`); the round below, in the run
loop, sees the correction, checks it, records the outcome and clears `correction_in_check`;
then the handler returns the outcome. A second correction while one is in check is refused
(CorrectionBeingChecked); the same attempt sent again gets the outcome already known.

Plain functions handed the state and the effects; deterministic like the workflow.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.effects import Effects, check_vat, wait_until
from workflows.state import RegistrationState, iso


async def changes_round(state: RegistrationState, fx: Effects, reg: c.RegistrationInput) -> bool:
    """One round: record the request, email the applicant, wait for an accepted
    correction until CHANGES_WINDOW ends. False when it ended without one."""
    asked = state.changes_asked
    assert asked is not None
    now = workflow.now()
    deadline = now + timedelta(seconds=reg.changes_window_seconds)
    round_no = state.changes.round + 1 if state.changes else 1
    state.changes = c.ChangesView(
        round=round_no,
        groups=list(asked.groups),
        message=asked.message,
        requested_at=iso(now),
        deadline=iso(deadline),
        requested_by=asked.requested_by,
    )
    # The first write after the administrator's Update (Effects.durable).
    await fx.durable(
        c.ACTIVITY_RECORD_CHANGES,
        c.RecordChangesRequest(
            registration_id=reg.registration_id,
            round=round_no,
            groups=list(asked.groups),
            message=asked.message,
            requested_by=asked.requested_by,
            at=iso(now),
            deadline=iso(deadline),
        ),
    )
    await fx.enter(c.Status.CHANGES_REQUESTED, deadline=deadline)
    state.changes_asked = None
    await fx.email(
        c.EmailKind.CHANGES_REQUESTED, key=f"changes_requested-{round_no}", deadline=deadline
    )
    remind_at = deadline - timedelta(seconds=reg.changes_reminder_before_seconds)
    reminded = False
    while True:
        arrived = await wait_until(
            lambda: state.correction_in_check is not None,
            deadline if reminded else remind_at,
        )
        if arrived:
            if await _check_correction(state, fx, reg, round_no):
                return True
        elif not reminded:
            reminded = True
            await fx.email(
                c.EmailKind.CHANGES_REMINDER, key=f"changes_reminder-{round_no}", deadline=deadline
            )
        else:
            return False


async def _check_correction(
    state: RegistrationState, fx: Effects, reg: c.RegistrationInput, round_no: int
) -> bool:
    """Check the correction in hand with VIES (when it touches the company data) and
    record its outcome; True when it was accepted."""
    correction = state.correction_in_check
    changes = state.changes
    assert correction is not None and changes is not None
    checked = dataclasses.replace(
        state.company,
        company_name=correction.company_name,
        street=correction.street,
        postcode=correction.postcode,
        city=correction.city,
        # A corrected address is the applicant's own again, compared as typed.
        adopted_address="" if "address" in changes.groups else state.company.adopted_address,
    )
    vat = state.vat_result
    if c.VIES_CHECKED_GROUPS & set(changes.groups):
        answer = await check_vat(checked, reg.vies_retry_horizon_seconds)
        if answer is not None and not (answer.valid and answer.matches):
            # The round stays open: the applicant sees the mismatch and may send again.
            changes.rejected_vat_result = answer
            await _answer_correction(state, fx, reg, round_no, correction, False, answer)
            return False
        # VIES unavailable past the horizon: the administrator sees it was not rechecked.
        vat = answer or dataclasses.replace(
            vat or c.VatCheckResult(valid=True, matches=False),
            flag_reason=c.VIES_FLAG_NOT_RECHECKED,
        )
    state.company = checked
    state.vat_result = vat
    state.corrections += 1
    changes.rejected_vat_result = None
    await _answer_correction(state, fx, reg, round_no, correction, True, vat)
    return True


async def _answer_correction(
    state: RegistrationState,
    fx: Effects,
    reg: c.RegistrationInput,
    round_no: int,
    correction: c.CorrectionSubmitted,
    accepted: bool,
    vat: c.VatCheckResult | None,
) -> None:
    """Record the correction's outcome, then give it to the waiting Update. Durable: a
    correction that needs no VIES check reaches here in the task that accepted it."""
    await fx.durable(
        c.ACTIVITY_RECORD_CORRECTION,
        c.RecordCorrectionRequest(
            registration_id=reg.registration_id,
            round=round_no,
            attempt_id=correction.attempt_id,
            accepted=accepted,
            at=iso(workflow.now()),
            vat_result=vat,
        ),
    )
    status = c.Status.AWAITING_REVIEW if accepted else c.Status.CHANGES_REQUESTED
    state.correction_outcomes[correction.attempt_id] = c.CorrectionOutcome(
        accepted=accepted, status=status.value, vat_result=vat
    )
    state.correction_in_check = None
