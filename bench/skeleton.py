"""The reference the lifecycle is measured against: a bare Temporal workflow of the same
shape (4 no-op activities, 2 signals) on the same server, driven from this process.

Its rate is what Temporal itself costs on this machine for a process like ours; the
portal's lifecycle rate divided by it says how much our own code adds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

TASK_QUEUE = "aos-bench-skeleton"


@activity.defn
async def noop(step: str) -> str:
    return step


@workflow.defn
class SkeletonWorkflow:
    """check → mail → (confirmed) → record → (decided) → activate."""

    def __init__(self) -> None:
        self.confirmed = False
        self.decided = False

    @workflow.run
    async def run(self) -> str:
        timeout = timedelta(seconds=30)
        await workflow.execute_activity(noop, "check", start_to_close_timeout=timeout)
        await workflow.execute_activity(noop, "mail", start_to_close_timeout=timeout)
        await workflow.wait_condition(lambda: self.confirmed)
        await workflow.execute_activity(noop, "record", start_to_close_timeout=timeout)
        await workflow.wait_condition(lambda: self.decided)
        await workflow.execute_activity(noop, "activate", start_to_close_timeout=timeout)
        return "done"

    @workflow.signal
    def confirm(self) -> None:
        self.confirmed = True

    @workflow.signal
    def decide(self) -> None:
        self.decided = True


@dataclass
class SkeletonFigures:
    per_second: float
    p50_ms: float
    history_events: int


async def _one(client: Client) -> float:
    started = time.perf_counter()
    handle = await client.start_workflow(
        SkeletonWorkflow.run, id=f"skeleton-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )
    await handle.signal(SkeletonWorkflow.confirm)
    await handle.signal(SkeletonWorkflow.decide)
    await handle.result()
    return time.perf_counter() - started


async def measure(address: str, n: int, concurrency: int) -> SkeletonFigures:
    client = await Client.connect(address)
    async with Worker(
        client, task_queue=TASK_QUEUE, workflows=[SkeletonWorkflow], activities=[noop]
    ):
        await _one(client)  # warm the worker and the server's caches
        slots = asyncio.Semaphore(concurrency)

        async def limited() -> float:
            async with slots:
                return await _one(client)

        started = time.perf_counter()
        times = await asyncio.gather(*(limited() for _ in range(n)))
        wall = time.perf_counter() - started
        handle = await client.start_workflow(
            SkeletonWorkflow.run, id=f"skeleton-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
        )
        await handle.signal(SkeletonWorkflow.confirm)
        await handle.signal(SkeletonWorkflow.decide)
        await handle.result()
        events = len((await handle.fetch_history()).events)
    return SkeletonFigures(n / wall, statistics.median(times) * 1000, events)
