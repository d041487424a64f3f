"""Issue 17: "Ask for changes", the third answer to a review, on the time-skipping server
with the real activities (database, SMTP, VIES stand-in)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.models import AuditEntry, ChangeRequest, CorrectionAttempt, Registration, SentEmail
from tests.workflows.helpers import (
    HU_CITY,
    HU_NAME,
    HU_POSTCODE,
    HU_STREET,
    make_registration,
    start,
    wait_for_record,
    wait_for_status,
)
from workflows import contracts as c

REVIEWERS = "reviewers@aos.test"


async def _in_review(
    env: WorkflowEnvironment, app, **overrides
) -> tuple[Registration, WorkflowHandle]:  # type: ignore[no-untyped-def]
    reg = make_registration(app, **overrides)
    handle = await start(env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    return reg, handle


async def _ask(
    handle: WorkflowHandle, groups: list[str], message: str = "Please fix it."
) -> c.DecisionResult:
    return await handle.execute_update(
        c.UPDATE_ASK_FOR_CHANGES,
        c.ChangesRequest(groups=groups, message=message, requested_by="1"),
        result_type=c.DecisionResult,
    )


def _attempt(app, reg: Registration, round_no: int, **values: str) -> str:  # type: ignore[no-untyped-def]
    """Store what the applicant typed, as the correction page does."""
    attempt_id = uuid.uuid4().hex
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            CorrectionAttempt(
                id=attempt_id, registration_id=reg.id, round=round_no, values=dict(values)
            )
        )
    return attempt_id


async def _correct(  # type: ignore[no-untyped-def]
    app, handle: WorkflowHandle, reg: Registration, round_no: int, **values: str
) -> c.CorrectionOutcome:
    attempt_id = _attempt(app, reg, round_no, **values)
    company = {
        "company_name": values.get("company_name", HU_NAME),
        "street": values.get("street", HU_STREET),
        "postcode": values.get("postcode", HU_POSTCODE),
        "city": values.get("city", HU_CITY),
    }
    return await handle.execute_update(
        c.UPDATE_SUBMIT_CORRECTION,
        c.CorrectionSubmitted(round=round_no, attempt_id=attempt_id, **company),
        result_type=c.CorrectionOutcome,
    )


def _rounds(app, reg: Registration) -> list[ChangeRequest]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return list(
            session.scalars(
                select(ChangeRequest)
                .where(ChangeRequest.registration_id == reg.id)
                .order_by(ChangeRequest.round)
            )
        )


async def _refusal(call) -> ApplicationError:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await call
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_correction_in_time_goes_back_to_review_and_is_approved(
    ts_env, ts_worker, app, mailbox
):
    reg, handle = await _in_review(ts_env, app, language="en")

    result = await _ask(
        handle, ["phone", "representative"], "Your phone number has a digit missing."
    )
    assert result.status == c.Status.CHANGES_REQUESTED
    view = await wait_for_status(handle, c.Status.CHANGES_REQUESTED)
    assert view.changes is not None and view.changes.round == 1
    requested = datetime.fromisoformat(view.changes.requested_at)
    assert datetime.fromisoformat(view.changes.deadline) - requested == timedelta(days=7)
    record = await wait_for_record(app, reg.id, lambda r: r.status == c.Status.CHANGES_REQUESTED)
    assert record.status_deadline is not None
    # What operators filter on in the Web UI: RegistrationStatus = 'CHANGES_REQUESTED'.
    described = await handle.describe()
    assert described.typed_search_attributes.get(c.STATUS_KEY) == c.Status.CHANGES_REQUESTED

    [email] = [
        m
        for m in await asyncio.to_thread(mailbox.wait_for, reg.email, 2)
        if m.subject == "Please change your AOS registration"
    ]
    assert "Your phone number has a digit missing." in email.text
    assert "Phone" in email.text and "Legal representative" in email.text
    assert "http://aos.test/changes/" in email.text

    # A decision now is refused: the applicant has the registration.
    refused = await _refusal(
        handle.execute_update(
            c.UPDATE_DECIDE, c.Decision(approve=True, decided_by="1"), result_type=c.DecisionResult
        )
    )
    assert refused.type == c.REFUSED_NOT_IN_REVIEW

    await ts_env.sleep(timedelta(days=3))
    outcome = await _correct(
        app, handle, reg, 1, phone="+36 1 234 5679", rep_first_name="Pál", rep_last_name="Kovács"
    )
    assert outcome.accepted and outcome.status == c.Status.AWAITING_REVIEW
    view = await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    assert view.corrections == 1
    record = await wait_for_record(app, reg.id, lambda r: r.phone == "+36 1 234 5679")
    assert record.rep_first_name == "Pál"
    [round_1] = _rounds(app, reg)
    assert round_1.before == {
        "phone": "+36 1 234 5678",
        "rep_first_name": "Péter",
        "rep_last_name": "Kovács",
    }
    assert round_1.after == {
        "phone": "+36 1 234 5679",
        "rep_first_name": "Pál",
        "rep_last_name": "Kovács",
    }
    assert round_1.corrected_at is not None and round_1.expired_at is None
    await asyncio.to_thread(mailbox.wait_for, REVIEWERS, 2)  # review requested, then corrected
    assert any(
        m.subject == "Javított AOS-regisztráció vár döntésre" for m in mailbox.messages(REVIEWERS)
    )

    result = await handle.execute_update(
        c.UPDATE_DECIDE, c.Decision(approve=True, decided_by="1"), result_type=c.DecisionResult
    )
    assert result.status == c.Status.APPROVED
    assert await handle.result() == c.Status.APPROVED
    statuses = [
        s.status for s in (await handle.query(c.QUERY_STATUS, result_type=c.StatusView)).steps
    ]
    assert statuses[-4:] == ["AWAITING_REVIEW", "CHANGES_REQUESTED", "AWAITING_REVIEW", "APPROVED"]
    with app.extensions["aos_sessions"]() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.registration_id == reg.id)
        ).all()
    assert "registration.changes_requested" in actions and "registration.corrected" in actions


async def test_no_answer_expires_after_the_changes_window_with_its_email(
    ts_env, ts_worker, app, mailbox
):
    reg, handle = await _in_review(ts_env, app, language="en")
    await _ask(handle, ["billing"])
    await wait_for_status(handle, c.Status.CHANGES_REQUESTED)
    await asyncio.to_thread(mailbox.wait_for, reg.email, 2)  # confirmation, changes requested

    await ts_env.sleep(timedelta(days=5, hours=1))  # past the reminder, two days before the end
    reminder = (await asyncio.to_thread(mailbox.wait_for, reg.email, 3))[0]
    assert reminder.subject == "Reminder: please change your AOS registration"
    assert "http://aos.test/changes/" in reminder.text
    assert (await handle.query(c.QUERY_STATUS, result_type=c.StatusView)).status == (
        c.Status.CHANGES_REQUESTED
    )

    await ts_env.sleep(timedelta(days=2))
    assert await handle.result() == c.Status.EXPIRED
    expired = (await asyncio.to_thread(mailbox.wait_for, reg.email, 4))[0]
    assert expired.subject == "Your AOS registration has expired"
    assert "did not arrive in time" in expired.text and "http://aos.test/restart/" in expired.text
    record = await wait_for_record(app, reg.id, lambda r: r.status == c.Status.EXPIRED)
    assert record.open_email is None  # the address may start again
    [round_1] = _rounds(app, reg)
    assert round_1.expired_at is not None and round_1.corrected_at is None


async def test_corrected_name_not_matching_vies_is_refused_and_the_round_stays_open(
    ts_env, ts_worker, app
):
    reg, handle = await _in_review(ts_env, app)
    await _ask(handle, ["company_name"])
    await wait_for_status(handle, c.Status.CHANGES_REQUESTED)

    outcome = await _correct(app, handle, reg, 1, company_name="Kovács Autójavító Bt.")
    assert not outcome.accepted and outcome.status == c.Status.CHANGES_REQUESTED
    assert outcome.vat_result is not None and not outcome.vat_result.matches
    [name] = [f for f in outcome.vat_result.fields if f.field == "name"]
    assert name.typed == "Kovács Autójavító Bt." and not name.matches
    view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    assert view.status == c.Status.CHANGES_REQUESTED and view.corrections == 0
    assert view.changes is not None and view.changes.rejected_vat_result is not None
    with app.extensions["aos_sessions"]() as session:
        assert session.get(Registration, reg.id).company_name == HU_NAME  # nothing changed
        [refused] = session.scalars(select(CorrectionAttempt)).all()
        assert refused.outcome == "vat_mismatch" and refused.vies_result is not None

    # The registered name, sent again, is accepted.
    outcome = await _correct(app, handle, reg, 1, company_name=HU_NAME)
    assert outcome.accepted
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)


async def test_refusals_change_nothing(ts_env, ts_worker, app):
    reg, handle = await _in_review(ts_env, app)
    for groups, message in (([], "Fix it."), (["phone"], "  "), (["vat_number"], "Fix it.")):
        refused = await _refusal(_ask(handle, groups, message))
        assert refused.type == c.REFUSED_CHANGES_INCOMPLETE
    assert (await handle.query(c.QUERY_STATUS, result_type=c.StatusView)).changes is None

    # A correction while nothing was asked is refused.
    refused = await _refusal(_correct(app, handle, reg, 1, phone="+36 1 000 0000"))
    assert refused.type == c.REFUSED_NOT_AWAITING_CORRECTION

    await _ask(handle, ["phone"])
    # A second request or a decision from another administrator is refused with who asked.
    refused = await _refusal(_ask(handle, ["address"]))
    assert refused.type in (c.REFUSED_ALREADY_DECIDED, c.REFUSED_NOT_IN_REVIEW)
    await wait_for_status(handle, c.Status.CHANGES_REQUESTED)
    refused = await _refusal(_correct(app, handle, reg, 2, phone="+36 1 000 0000"))
    assert refused.type == c.REFUSED_NOT_AWAITING_CORRECTION  # not this round
    assert len(_rounds(app, reg)) == 1


async def test_two_rounds_and_the_review_sla_pauses_meanwhile(ts_env, ts_worker, app):
    reg, handle = await _in_review(ts_env, app)
    view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    first_due = datetime.fromisoformat(view.deadline)  # REVIEW_SLA (2 days) from now

    await ts_env.sleep(timedelta(days=1))
    await _ask(handle, ["phone"])
    await wait_for_status(handle, c.Status.CHANGES_REQUESTED)
    await ts_env.sleep(timedelta(days=4))  # the applicant takes four days
    assert (await _correct(app, handle, reg, 1, phone="+36 1 111 1111")).accepted
    view = await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    assert not view.review_overdue
    # One day of the SLA was left when the applicant got it; one day is left now.
    back = datetime.fromisoformat(view.steps[-1].at)
    assert back - first_due == pytest.approx(timedelta(days=3), abs=timedelta(minutes=5))
    assert datetime.fromisoformat(view.deadline) - back == pytest.approx(
        timedelta(days=1), abs=timedelta(minutes=5)
    )

    await _ask(handle, ["address"])
    view = await wait_for_status(handle, c.Status.CHANGES_REQUESTED)
    assert view.changes is not None and view.changes.round == 2
    assert (await _correct(app, handle, reg, 2, street=HU_STREET, city=HU_CITY)).accepted
    view = await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    assert view.corrections == 2
    assert [r.round for r in _rounds(app, reg)] == [1, 2]
    with app.extensions["aos_sessions"]() as session:
        kinds = session.scalars(
            select(SentEmail.kind).where(SentEmail.registration_id == reg.id)
        ).all()
    assert kinds.count("changes_requested") == 2
