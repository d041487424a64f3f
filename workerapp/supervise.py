"""Keeping the worker up: connect to Temporal with capped back-off, poll until stopped,
start again after a failure instead of exiting, and run the sweep beside it
(activities/sweep.py: starts, people's actions delivered again, the reconciler)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.sweep import StartSweep
from core.config import Settings
from core.retention_schedule import ensure_retention_schedule
from core.temporal_setup import ensure_search_attributes
from workerapp.build import GRACEFUL_SHUTDOWN, build_worker

log = logging.getLogger("aos.worker")
# Reaching Temporal: each attempt bounded, attempts spaced 1 s, 2 s, 4 s … at most 30 s.
CONNECT_TIMEOUT_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 30.0
VALIDATION_GRACE_SECONDS = 3.0


def metrics_runtime(address: str) -> Runtime | None:
    """A Temporal runtime serving the SDK's worker metrics for Prometheus on `address`
    (host:port; WORKER_METRICS_ADDRESS, empty to switch them off)."""
    if not address:
        return None
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    except ValueError as err:  # the address is taken or invalid: work on, without metrics
        log.error("No worker metrics on %s: %s", address, err)
        return None


class Backoff:
    """Capped exponential back-off between attempts to reach Temporal."""

    def __init__(self, first: float = 1.0, cap: float = MAX_BACKOFF_SECONDS) -> None:
        self.first, self.cap, self.delay, self.attempt = first, cap, first, 0

    async def wait(self, stop: asyncio.Event) -> None:
        self.attempt += 1
        try:
            await asyncio.wait_for(stop.wait(), self.delay)
        except TimeoutError:
            pass
        self.delay = min(self.delay * 2, self.cap)

    def reset(self) -> None:
        self.delay, self.attempt = self.first, 0


async def connect(settings: Settings, runtime: Runtime | None) -> Client:
    client = await asyncio.wait_for(
        Client.connect(
            settings.temporal_address, namespace=settings.temporal_namespace, runtime=runtime
        ),
        CONNECT_TIMEOUT_SECONDS,
    )
    await ensure_search_attributes(client, settings.temporal_namespace)
    try:
        await ensure_retention_schedule(client, settings)
    except RPCError as err:  # registrations are still served; said loudly
        log.error("Could not create the retention schedule: %s", err)
    return client


async def check_namespace(client: Client, namespace: str) -> None:
    """What the worker's own validation checks, asked first so a failure is ours to retry."""
    await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=10)
    )


async def serve(
    sessions: sessionmaker, settings: Settings, runtime: Runtime | None, stop: asyncio.Event
) -> None:
    """Connect, validate and poll until `stop`; whenever Temporal cannot be reached or the
    worker fails (validation at start, a fatal poll error), log it and try again with
    capped back-off instead of exiting."""
    backoff = Backoff()
    interval = timedelta(seconds=settings.resume_sweep_interval)
    client: Client | None = None
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        while not stop.is_set():
            try:
                if client is None:
                    client = await connect(settings, runtime)
                await check_namespace(client, settings.temporal_namespace)
                worker = build_worker(client, settings, sessions, executor)
                await _run_until_stopped(
                    worker, client, sessions, settings, stop, interval, backoff
                )
            except Exception as err:  # noqa: BLE001 - logged, retried with back-off
                what = (
                    f"Temporal at {settings.temporal_address} is not reachable"
                    if client is None or isinstance(err, RPCError)
                    else "Worker failed"
                )
                log.error(
                    "%s (attempt %d): %s; trying again in %.0fs",
                    what,
                    backoff.attempt + 1,
                    err or type(err).__name__,
                    backoff.delay,
                )
                await backoff.wait(stop)


async def _run_until_stopped(
    worker: Worker,
    client: Client,
    sessions: sessionmaker,
    settings: Settings,
    stop: asyncio.Event,
    interval: timedelta,
    backoff: Backoff,
) -> None:
    sweep = StartSweep(client, sessions, settings)
    running = asyncio.create_task(worker.run())
    stopping = asyncio.create_task(stop.wait())
    sweeping: asyncio.Task | None = None
    try:
        # Worker.run() validates the namespace again; a failure ends the task at once.
        done, _ = await asyncio.wait({running, stopping}, timeout=VALIDATION_GRACE_SECONDS)
        if running in done:
            running.result()  # raises what went wrong
            raise RuntimeError("worker stopped by itself")
        log.info(
            "Worker polling task queue %s on %s",
            settings.temporal_task_queue,
            settings.temporal_address,
        )
        backoff.reset()
        sweeping = asyncio.create_task(sweep.run(stop, interval))
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running in done:
            running.result()
            raise RuntimeError("worker stopped by itself")
        log.info(
            "Shutting down: finishing running activities (at most %ds)",
            GRACEFUL_SHUTDOWN.total_seconds(),
        )
        await worker.shutdown()
    finally:
        tasks = [task for task in (running, stopping, sweeping) if task is not None]
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
