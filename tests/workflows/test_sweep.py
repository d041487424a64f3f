"""The worker's sweep starts what the web app stored while Temporal was away: each
registration and each outbox email once, even with two workers sweeping at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from activities.sweep import StartSweep
from tests.workflows.helpers import make_registration, wait_for_record
from webapp.models import OutboxMessage, Registration


async def test_two_sweeps_at_once_start_each_registration_once(ts_env, ts_worker, app, mailbox):
    regs = [make_registration(app, email=f"owner{i}@workshop{i}.hu") for i in range(3)]
    ended = make_registration(app, email="gone@workshop.hu", open_email=None)
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            OutboxMessage(id="outbox1", kind="already_registered", recipient="someone@example.hu")
        )
    sessions, settings = app.extensions["aos_sessions"], app.config["SETTINGS"]
    sweeps = [StartSweep(ts_env.client, sessions, settings) for _ in range(2)]

    results = await asyncio.gather(*(sweep.sweep_once() for sweep in sweeps))
    # Both sweeps may claim a start; the workflow ids make it one workflow each.
    assert all(r.registrations == 3 and r.emails == 1 for r in results)
    for reg in regs:
        await wait_for_record(app, reg.id, lambda r: r.status == "AWAITING_EMAIL_CONFIRMATION")
        assert len(await asyncio.to_thread(mailbox.wait_for, reg.email)) == 1
    await asyncio.to_thread(mailbox.wait_for, "someone@example.hu")
    with sessions() as session:
        assert session.get(Registration, ended.id).workflow_started is False  # not reopened
        started = session.scalars(select(Registration.workflow_started)).all()
        assert sorted(started) == [False, True, True, True]
        assert session.get(OutboxMessage, "outbox1").workflow_started
    # Nothing is left, so the next sweep starts nothing.
    assert (await sweeps[0].sweep_once()).total == 0
    # A duplicate email would have arrived by now alongside the others.
    assert all(len(mailbox.messages(to=reg.email)) == 1 for reg in regs)
