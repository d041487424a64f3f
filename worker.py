"""The Temporal worker: `python worker.py`, configured only by the environment.

Refuses unsafe production settings (core/production.py), registers missing search
attributes, serves the Temporal SDK's metrics for Prometheus on WORKER_METRICS_ADDRESS, and on
SIGTERM or SIGINT stops polling and lets running activities finish (GRACEFUL_SHUTDOWN).
Temporal unreachable at start (or the worker failing later) is retried with capped
back-off, never an exit; every RESUME_SWEEP_INTERVAL (default 20s) the worker starts what
the web app stored while Temporal was away (activities/sweep.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import signal
import smtplib
from datetime import timedelta

from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv
from sqlalchemy.orm import sessionmaker
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.decoy import DecoyActivities
from activities.mail import MailActivities
from activities.records import RecordActivities
from activities.retention import RetentionActivities
from activities.sweep import StartSweep
from activities.vies import ViesActivities
from core import ast_threads
from core.config import Settings, parse_duration
from core.db import make_engine, make_session_factory
from core.logging_setup import configure_logging
from core.mail_app import MailApp
from core.production import startup_settings
from core.retention_schedule import ensure_retention_schedule
from core.temporal_setup import ensure_search_attributes
from vies.client import ViesClient
from vies.vatnumber import requester_vat_problem
from workflows.decoy import DecoyMailWorkflow, DecoyResendWorkflow
from workflows.mail import OutboxMailWorkflow
from workflows.registration import RegistrationWorkflow
from workflows.retention import PersonalDataRetentionWorkflow
from workflows.vat_only import VatOnlyWorkflow

log = logging.getLogger("aos.worker")
# SIGTERM: stop polling, give running activities this long, then exit 0. Container stop
# timeouts must be longer (docker-compose.yml: stop_grace_period 30s).
GRACEFUL_SHUTDOWN = timedelta(seconds=20)
# Workflows kept in memory between tasks (the SDK's default is 1,000, ~270 MB here): enough
# for the registrations active in any few seconds at 16 in flight, with room to spare.
WORKFLOW_CACHE = int(os.environ.get("WORKER_WORKFLOW_CACHE", "200"))
DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464"
# Reaching Temporal: each attempt bounded, attempts spaced 1 s, 2 s, 4 s … at most 30 s.
CONNECT_TIMEOUT_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 30.0
VALIDATION_GRACE_SECONDS = 3.0
# The sandbox runs each workflow run in fresh copies of its modules. The workflows import
# their contracts (`from workflows import contracts as c`) inside imports_passed_through(),
# but that form, in a package the sandbox has already imported, executes the contracts
# module again for every run and every replay: about a sixth of the worker's busy time in
# `make bench --py-spy`. They are plain dataclasses and enums, without state or I/O, so
# they are shared; the workflow modules themselves stay sandboxed (their determinism
# checks remain).
SHARED_WITH_WORKFLOWS = ("workflows.contracts", "workflows.retention_contracts")


def check_smtp(settings: Settings) -> None:
    """Say at start what is wrong with the mail settings; mail itself is retried later."""
    cfg = settings.mail
    try:
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(str(cfg["MAIL_SERVER"]), int(cfg["MAIL_PORT"]), timeout=5) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(str(cfg["MAIL_USERNAME"]), str(cfg["MAIL_PASSWORD"] or ""))
            smtp.noop()
    except (OSError, smtplib.SMTPException) as err:
        log.error(
            "SMTP check failed for %s:%s (%s). Emails wait and are retried until it works.",
            cfg["MAIL_SERVER"],
            cfg["MAIL_PORT"],
            err,
        )
    else:
        log.info("SMTP server %s:%s answers.", cfg["MAIL_SERVER"], cfg["MAIL_PORT"])


def check_requester_vat(settings: Settings) -> None:
    """Outside production (which refuses it) a malformed VIES_REQUESTER_VAT is said at start:
    VIES would answer every check with INVALID_REQUESTER_INFO."""
    problem = requester_vat_problem(settings.vies_requester_vat)
    if problem:
        log.error("%s Every VAT check will wait until it is fixed.", problem)


def build_worker(
    client: Client,
    settings: Settings,
    sessions: sessionmaker,
    executor: concurrent.futures.Executor,
) -> Worker:
    ast_threads.install()  # activity threads format tracebacks (ast.parse) side by side
    vies_client = ViesClient(settings.vies_url, requester_vat=settings.vies_requester_vat)
    records = RecordActivities(sessions)
    mail = MailActivities(MailApp(settings), sessions)
    vies = ViesActivities(vies_client, sessions)
    retention = RetentionActivities(sessions)
    decoys = DecoyActivities(sessions)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[
            RegistrationWorkflow,
            OutboxMailWorkflow,
            PersonalDataRetentionWorkflow,
            VatOnlyWorkflow,
            DecoyResendWorkflow,
            DecoyMailWorkflow,
        ],
        activities=[
            records.record_status,
            records.activate_account,
            records.record_changes_request,
            records.record_correction,
            mail.queue_registration_email,
            mail.send_outbox_mail,
            vies.check_vat,
            retention.purge_personal_data,
            decoys.decoy_resend,
        ],
        activity_executor=executor,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(
                *SHARED_WITH_WORKFLOWS
            )
        ),
        max_concurrent_activities=20,
        # Registrations wait for days (48 h confirmation, review SLA): keeping each one's
        # workflow state cached costs ~270 KB of worker RSS (make bench, "open") and buys
        # nothing between wake-ups hours apart. A bounded cache keeps the worker's memory
        # flat however many wait (`make bench --open 10000`, 2026-12-01: 125 MB before,
        # 204 MB with the first 1,000 waiting, 202 MB with 10,000); an evicted workflow is
        # replayed from its short history (<60 events) on its next wake-up, a few ms.
        max_cached_workflows=WORKFLOW_CACHE,
        # A sticky queue is worth it only for bursts (submit → VIES answer → email in
        # seconds); after 5 s of silence the next task goes to any worker.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=5),
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


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
    interval = timedelta(
        seconds=parse_duration(os.environ.get("RESUME_SWEEP_INTERVAL", "20s")) or 20
    )
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


async def main() -> None:
    settings = startup_settings("aos-worker")
    configure_logging(settings.log_format)
    engine = make_engine(settings.database_url)
    check_smtp(settings)
    check_requester_vat(settings)
    metrics_address = os.environ.get("WORKER_METRICS_ADDRESS", DEFAULT_METRICS_ADDRESS)
    runtime = metrics_runtime(metrics_address)
    if runtime is not None:
        log.info("Worker metrics for Prometheus on http://%s/metrics", metrics_address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(make_session_factory(engine), settings, runtime, stop)
    engine.dispose()
    log.info("Worker stopped")


if __name__ == "__main__":
    # Flask's convention, as the `flask` command has it: the nearest .flaskenv/.env (make run
    # writes .env) fills in what the environment does not set; FLASK_SKIP_DOTENV=1 skips it.
    if get_load_dotenv():
        load_dotenv()
    asyncio.run(main())
