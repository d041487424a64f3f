"""The `personal-data-retention` schedule on a real dev server with the real worker:
created idempotently as the worker does at start, triggered, and its run erases a
rejected registration past the period and leaves an approved one alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from tests.workflows.helpers import make_registration
from webapp.models import Registration
from webapp.retention_schedule import ensure_retention_schedule
from workflows import retention_contracts as rc

OLD_REJECTED = "r" + "5" * 15
OLD_APPROVED = "r" + "6" * 15


async def forget_schedule(client: Client) -> None:
    """The dev server is shared by the session's tests: start without the schedule."""
    try:
        await client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID).delete()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise


async def _trigger_and_wait(client: Client) -> rc.PurgeResult:
    handle = client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID)
    before = len((await handle.describe()).info.recent_actions)
    await handle.trigger()
    for _ in range(200):  # bounded: the schedule starts the run within a moment
        actions = (await handle.describe()).info.recent_actions
        if len(actions) > before:
            run = client.get_workflow_handle(
                actions[-1].action.workflow_id, result_type=rc.PurgeResult
            )
            return await run.result()
        await asyncio.sleep(0.1)
    raise AssertionError("the schedule did not start a run")


def test_the_schedule_is_created_once_and_its_run_purges(web, loop_thread) -> None:  # type: ignore[no-untyped-def]
    settings = web.config["SETTINGS"]
    long_ago = datetime.now(UTC) - timedelta(days=100)
    make_registration(web, id=OLD_REJECTED, status="REJECTED", open_email=None, updated_at=long_ago)
    make_registration(web, id=OLD_APPROVED, status="APPROVED", open_email=None, updated_at=long_ago)

    async def scenario() -> tuple[list[str], object, rc.PurgeResult, rc.PurgeResult]:
        client = await Client.connect(settings.temporal_address)
        await forget_schedule(client)  # one left by an earlier test's worker process
        try:
            outcomes = [
                await ensure_retention_schedule(client, settings),
                await ensure_retention_schedule(client, settings),  # the next worker start
            ]
            description = await client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID).describe()
            first = await _trigger_and_wait(client)
            second = await _trigger_and_wait(client)
            return outcomes, description, first, second
        finally:
            await client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID).delete()

    outcomes, description, first, second = loop_thread.run(scenario(), timeout=120)
    assert outcomes == ["created", "updated"]
    action = description.schedule.action
    assert action.workflow == rc.RETENTION_WORKFLOW_NAME
    assert action.task_queue == settings.temporal_task_queue
    spec = description.schedule.spec
    assert spec.cron_expressions == [rc.RETENTION_CRON] or spec.calendars  # daily
    assert first.registrations == 1 and second == rc.PurgeResult()
    with web.extensions["aos_sessions"]() as session:
        assert session.get(Registration, OLD_REJECTED).email == ""
        assert session.get(Registration, OLD_APPROVED).email == "peter@kovacs-auto.hu"
