"""RegistrationWorkflow on the time-skipping server, with the real activities."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.models import Account, Registration, SentEmail
from tests.workflows.helpers import (
    HOURS_48,
    make_registration,
    start,
    wait_for_record,
    wait_for_status,
)
from workflows import contracts as c


def _record(app, registration_id: str) -> Registration:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.get(Registration, registration_id)


async def _approve(handle, admin: str = "1") -> c.DecisionResult:  # type: ignore[no-untyped-def]
    return await handle.execute_update(
        c.UPDATE_DECIDE, c.Decision(approve=True, decided_by=admin), result_type=c.DecisionResult
    )


async def test_happy_path_activates_the_account(
    ts_env: WorkflowEnvironment, ts_worker, app, mailbox
):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)

    view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    assert view.vat_result is not None and view.vat_result.matches
    assert view.deadline is not None
    [confirmation] = await asyncio.to_thread(mailbox.wait_for, reg.email)
    assert (
        "megerősítése" in confirmation.subject.lower() or "confirm" in confirmation.subject.lower()
    )
    assert "http://aos.test/confirm/" in confirmation.text

    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    await wait_for_record(app, reg.id, lambda r: r.email_confirmed_at is not None)

    result = await _approve(handle)
    assert result.status == c.Status.APPROVED
    assert await handle.result() == c.Status.APPROVED

    record = _record(app, reg.id)
    assert record.status == c.Status.APPROVED and record.open_email is None
    # The emails are delivered by their own workflows, beside the registration's end.
    assert len(await asyncio.to_thread(mailbox.wait_for, reg.email, 2)) == 2
    with app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == reg.email)).one()
        assert account.active and account.password_hash == reg.password_hash
        kinds = [e.kind for e in session.scalars(select(SentEmail).order_by(SentEmail.id))]
    assert kinds == ["confirmation", "review_requested", "activated"]


async def test_48_hours_pass_without_confirmation_expires(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)

    await ts_env.sleep(timedelta(hours=36, minutes=1))
    # 12 hours before the end a reminder goes out.
    reminder = (await asyncio.to_thread(mailbox.wait_for, reg.email, 2))[0]
    assert "http://aos.test/confirm/" in reminder.text
    assert "2026" in reminder.text or "20" in reminder.text  # the deadline is spelled out
    await ts_env.sleep(timedelta(hours=12))
    assert await handle.result() == c.Status.EXPIRED
    assert _record(app, reg.id).status == c.Status.EXPIRED
    assert _record(app, reg.id).open_email is None  # the address may start again

    with pytest.raises(Exception):  # noqa: B017 - the workflow has ended: no update lands
        await handle.execute_update(
            c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str
        )
    # The confirmation, the reminder, then the expiry notice with a way to start again.
    expired = (await asyncio.to_thread(mailbox.wait_for, reg.email, 3))[0]
    assert "http://aos.test/restart/" in expired.text


async def test_no_reminder_once_confirmed(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    await ts_env.sleep(timedelta(hours=40))
    assert len(mailbox.messages(to=reg.email)) == 1  # the confirmation only


async def test_confirmation_just_before_the_deadline_counts(ts_env, ts_worker, app):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await ts_env.sleep(HOURS_48 - timedelta(minutes=5))
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)


async def test_rejection_carries_the_reason_to_the_applicant(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app, language="en")
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)

    result = await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decision(approve=False, decided_by="1", reason="The workshop address is a residence."),
        result_type=c.DecisionResult,
    )
    assert result.status == c.Status.REJECTED
    assert await handle.result() == c.Status.REJECTED
    assert _record(app, reg.id).rejection_reason == "The workshop address is a residence."
    rejection = (await asyncio.to_thread(mailbox.wait_for, reg.email, 2))[0]  # newest first
    assert "http://aos.test/restart/" in rejection.text
    assert rejection.subject == "Your AOS registration was not approved"
    assert "The workshop address is a residence." in rejection.text


async def test_rejection_without_reason_is_refused(ts_env, ts_worker, app):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            c.UPDATE_DECIDE,
            c.Decision(approve=False, decided_by="1", reason="  "),
            result_type=c.DecisionResult,
        )
    assert "reason" in str(refused.value.cause)
    view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    assert view.status == c.Status.AWAITING_REVIEW


async def test_vies_mismatch_ends_the_registration(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app, company_name="Kovacs es Tarsa Autojavito Kft.")
    handle = await start(ts_env.client, app, reg)
    assert await handle.result() == c.Status.VAT_MISMATCH
    view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    name = next(f for f in view.vat_result.fields if f.field == "name")
    assert not name.matches and name.registered == "Kovács és Társa Autójavító Kft."
    record = _record(app, reg.id)
    assert record.status == c.Status.VAT_MISMATCH and record.open_email is None
    assert record.vies_result["fields"]
    assert mailbox.messages(to=reg.email) == []


async def test_vies_unavailable_three_times_then_fine(ts_env, ts_worker, app, vies, mailbox):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 3, "error": "MS_UNAVAILABLE"})
    reg = make_registration(app, language="en")
    handle = await start(ts_env.client, app, reg)
    # The retries' back-off timers pass in skipped time.
    await ts_env.sleep(timedelta(minutes=5))
    view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    assert view.vat_result.matches
    assert httpx.get(f"{vies}/_control/calls").json()["calls"] == 4
    # The applicant left the form long ago: the confirmation email says VIES answered.
    [confirmation] = await asyncio.to_thread(mailbox.wait_for, reg.email)
    assert "VIES) has now answered" in confirmation.text


async def test_vies_down_past_the_horizon_ends_as_vat_check_failed(
    ts_env, ts_worker, app, vies, mailbox
):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 10000, "error": "MS_UNAVAILABLE"})
    reg = make_registration(app, language="en")
    handle = await start(ts_env.client, app, reg)
    await ts_env.sleep(timedelta(hours=24, minutes=5))
    assert await handle.result() == c.Status.VAT_CHECK_FAILED
    record = _record(app, reg.id)
    assert record.status == c.Status.VAT_CHECK_FAILED and record.open_email is None
    [notice] = await asyncio.to_thread(mailbox.wait_for, reg.email)
    assert notice.subject == "We could not check your VAT number"
    assert "invalid" not in notice.text.lower()  # an outage is never called invalid
    assert "http://aos.test/restart/" in notice.text


async def test_delayed_mismatch_is_explained_by_email(ts_env, ts_worker, app, vies, mailbox):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 2, "error": "TIMEOUT"})
    reg = make_registration(app, language="en", street="Váci út 22")
    handle = await start(ts_env.client, app, reg)
    await ts_env.sleep(timedelta(minutes=5))
    assert await handle.result() == c.Status.VAT_MISMATCH
    [notice] = await asyncio.to_thread(mailbox.wait_for, reg.email)
    assert notice.subject == "Your company data do not match the VAT registration"
    assert "Váci út 22." in notice.text and "http://aos.test/restart/" in notice.text


async def test_decision_in_the_wrong_state_is_refused(ts_env, ts_worker, app):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _approve(handle)
    assert "not awaiting review" in str(refused.value.cause)
    view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    assert view.status == c.Status.AWAITING_EMAIL_CONFIRMATION


async def test_second_decision_is_refused_and_changes_nothing(ts_env, ts_worker, app):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    first = await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decision(approve=True, decided_by="1"),
        id="click-1",
        result_type=c.DecisionResult,
    )
    # The same click delivered twice (same update id) gets the same answer.
    again = await handle.execute_update(
        c.UPDATE_DECIDE,
        c.Decision(approve=True, decided_by="1"),
        id="click-1",
        result_type=c.DecisionResult,
    )
    assert first == again
    assert await handle.result() == c.Status.APPROVED
    with pytest.raises(Exception):  # noqa: B017 - completed workflows accept no decision
        await handle.execute_update(
            c.UPDATE_DECIDE,
            c.Decision(approve=False, decided_by="2", reason="late"),
            result_type=c.DecisionResult,
        )
    assert _record(app, reg.id).status == c.Status.APPROVED


async def test_review_overdue_escalates_and_keeps_waiting(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    await ts_env.sleep(timedelta(days=2, hours=1))
    view = await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    assert view.review_overdue
    # "New registration to review" on entry, then the escalation.
    escalation = (await asyncio.to_thread(mailbox.wait_for, "reviewers@aos.test", 2))[0]
    # reviewers@ has no console account: it reads Hungarian, the portal's language.
    assert escalation.subject == "Túl régóta ellenőrzésre váró AOS-regisztráció"
    await ts_env.sleep(timedelta(days=1))  # reminded once a day while it waits
    await asyncio.to_thread(mailbox.wait_for, "reviewers@aos.test", 3)
    assert (await _approve(handle)).status == c.Status.APPROVED


async def test_resend_has_a_cooldown_and_keeps_the_deadline(ts_env, ts_worker, app, mailbox):
    reg = make_registration(app)
    handle = await start(ts_env.client, app, reg)
    view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await asyncio.to_thread(mailbox.wait_for, reg.email)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            c.UPDATE_RESEND_CONFIRMATION, c.ResendRequest(), result_type=str
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == c.REFUSED_RESEND_COOLDOWN
    assert 0 < cause.details[0] <= c.RESEND_COOLDOWN_SECONDS
    await ts_env.sleep(timedelta(minutes=3))
    await handle.execute_update(c.UPDATE_RESEND_CONFIRMATION, c.ResendRequest(), result_type=str)
    again = await asyncio.to_thread(mailbox.wait_for, reg.email, 2)
    assert again[0].message_id.endswith(".confirmation-resend-1@aos.test>")
    after = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
    assert after.deadline == view.deadline  # a resend does not extend the 48 hours
