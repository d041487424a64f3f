"""`python worker.py` creates the retention schedule at start, from PERSONAL_DATA_RETENTION,
and a second start keeps one schedule brought up to date."""

from __future__ import annotations

import asyncio

from temporalio.client import Client

from tests.production.test_processes import System, system  # noqa: F401  (the fixture)
from tests.webapp.test_retention_schedule import forget_schedule
from workflows import retention_contracts as rc


async def _describe(address: str, delete: bool = False) -> tuple[int, str, str]:
    client = await Client.connect(address)
    handle = client.get_schedule_handle(rc.RETENTION_SCHEDULE_ID)
    description = await handle.describe()
    action = description.schedule.action
    [params] = await client.data_converter.decode(action.args, [rc.RetentionInput])
    if delete:
        await handle.delete()  # the dev server is shared by the session's tests
    return params.retention_seconds, action.workflow, action.task_queue


async def _forget(address: str) -> None:
    await forget_schedule(await Client.connect(address))


def test_the_worker_creates_the_schedule_at_start(system: System) -> None:  # noqa: F811
    address = system.env["TEMPORAL_ADDRESS"]
    asyncio.run(_forget(address))  # one left by an earlier test's worker process
    system.env["PERSONAL_DATA_RETENTION"] = "30d"
    first = system.start_worker()
    system.wait_log("worker", "Retention schedule personal-data-retention created")
    try:
        seconds, workflow, queue = asyncio.run(_describe(address))
        assert (seconds, workflow) == (30 * 86400, rc.RETENTION_WORKFLOW_NAME)
        assert queue == system.env["TEMPORAL_TASK_QUEUE"]

        first.terminate()
        assert first.wait(30) == 0
        system.env["PERSONAL_DATA_RETENTION"] = "60d"
        system.start_worker()
        system.wait_log("worker", "Retention schedule personal-data-retention brought up to date")
    finally:
        seconds, _, _ = asyncio.run(_describe(address, delete=True))
    assert seconds == 60 * 86400
