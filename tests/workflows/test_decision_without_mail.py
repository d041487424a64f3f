"""Issue 12: an SMTP outage must not hold up the reviewer. The "new registration to
review" email waits in the outbox while the workflow waits for the decision; the decide
Update returns once the decision is recorded; the account is activated and the run ends
while SMTP is still down, and the mail goes out once it is back."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import timedelta

from sqlalchemy import select

from core.models import Account
from devtools.mailcatcher import list_messages, start_catcher
from tests.conftest import make_env
from tests.workflows.helpers import make_registration, start, wait_for_record, wait_for_status
from workerapp.build import build_worker
from workflows import contracts as c


async def _wait_mail(directory, count: int) -> list:  # type: ignore[no-untyped-def]
    for _ in range(300):
        found = list_messages(directory)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(list_messages(directory))} message(s), expected {count}")


async def test_smtp_down_the_decision_is_recorded_and_carried_out(
    ts_env, clean_db, vies, make_app, tmp_path
):
    port, stop = start_catcher(tmp_path)
    app = make_app(make_env(clean_db, port, vies))
    reg = make_registration(app, language="en")
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        async with build_worker(
            ts_env.client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
        ):
            handle = await start(ts_env.client, app, reg)
            await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
            await _wait_mail(tmp_path, 1)  # the confirmation got out
            stop()  # SMTP refuses from now on

            await handle.execute_update(
                c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str
            )
            await wait_for_status(handle, c.Status.AWAITING_REVIEW)
            # The reviewers' email is failing and being retried; the decision lands anyway.
            result = await handle.execute_update(
                c.UPDATE_DECIDE,
                c.Decision(approve=True, decided_by="7"),
                result_type=c.DecisionResult,
            )
            assert result == c.DecisionResult(status="APPROVED", decided_by="7")
            view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
            assert view.decided_by == "7"
            # Activation does not wait for SMTP either.
            await wait_for_record(app, reg.id, lambda r: r.status == c.Status.APPROVED)
            with app.extensions["aos_sessions"]() as session:
                account = session.scalars(select(Account).where(Account.email == reg.email))
                assert account.one().active
            assert len(list_messages(tmp_path)) == 1

            # The registration's run ends without waiting for SMTP: its emails wait in
            # the outbox, each with its own delivery workflow.
            assert await handle.result() == c.Status.APPROVED

            # SMTP back: the retried emails go out.
            _, stop = start_catcher(tmp_path, port=port)
            try:
                await ts_env.sleep(timedelta(minutes=30))
                subjects = sorted(m.subject for m in await _wait_mail(tmp_path, 3))
            finally:
                stop()
    assert len(subjects) == 3
    assert any("ellenőrzésre váró" in s.lower() for s in subjects)  # the reviewers' (Hungarian)
    assert any("activated" in s.lower() or "active" in s.lower() for s in subjects)
