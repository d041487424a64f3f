"""`python -m tests.e2e.held_worker`: the real worker (worker.build_worker), which can be
held inside the workflow task that accepts a given Update.

AOS_HOLD_UPDATES names the Updates (comma-separated) to hold, each once;
AOS_HOLD_DIR is where it says so and waits to be let go: it writes `held-<update>` when the
handler is entered, then blocks the workflow task until `release-<update>` exists. While it
blocks, the task's completion (which would put the accepted Update into the history) is
not sent, which is the moment a Temporal server crash or a worker kill loses an admitted
Update (issue 21). TEMPORAL_DEBUG=1 turns the SDK's deadlock detector off for the hold.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import time
from pathlib import Path
from typing import Any

from temporalio import client as client_interceptors
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

HOLD_UPDATES = {u for u in os.environ.get("AOS_HOLD_UPDATES", "").split(",") if u}
HOLD_DIR = Path(os.environ.get("AOS_HOLD_DIR", "."))


def _hold(update: str) -> None:
    # Once per Update name, by a file: the sandbox may load this module again per run,
    # and a replay runs the handler again.
    held = HOLD_DIR / f"held-{update}"
    if update not in HOLD_UPDATES or held.exists():
        return
    held.touch()
    release = HOLD_DIR / f"release-{update}"
    deadline = time.monotonic() + 300  # never hangs a test run for ever
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


class _Inbound(WorkflowInboundInterceptor):
    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        with workflow.unsafe.sandbox_unrestricted():
            _hold(input.update)
        return await super().handle_update_handler(input)


class HoldInterceptor(client_interceptors.Interceptor, Interceptor):
    """On the client, so the worker built from it (worker.build_worker) uses it too."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _Inbound


async def main() -> None:
    from core.db import make_engine, make_session_factory
    from core.production import startup_settings
    from workerapp.build import build_worker

    settings = startup_settings("aos-held-worker")
    engine = make_engine(settings.database_url)
    client = await Client.connect(settings.temporal_address, interceptors=[HoldInterceptor()])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        worker = build_worker(client, settings, make_session_factory(engine), executor)
        async with worker:
            print("Worker polling", flush=True)
            await stop.wait()
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
