"""The Temporal worker: `python worker.py`, configured only by the environment.

Refuses unsafe production settings (webapp/production.py), registers missing search
attributes, serves the Temporal SDK's metrics for Prometheus on WORKER_METRICS_ADDRESS, and on
SIGTERM or SIGINT stops polling and lets running activities finish (GRACEFUL_SHUTDOWN).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import signal
import smtplib
from datetime import timedelta

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.mail import MailActivities
from activities.records import RecordActivities
from activities.retention import RetentionActivities
from activities.vies import ViesActivities
from vies.client import ViesClient
from vies.vatnumber import requester_vat_problem
from webapp import create_app
from webapp.config import Settings
from webapp.logging_setup import configure_logging
from webapp.mailer import resume_outbox
from webapp.production import startup_settings
from webapp.registration.service import resume_unstarted
from webapp.retention_schedule import ensure_retention_schedule
from webapp.temporal_setup import ensure_search_attributes
from workflows.mail import OutboxMailWorkflow
from workflows.registration import RegistrationWorkflow
from workflows.retention import PersonalDataRetentionWorkflow

log = logging.getLogger("aos.worker")
# SIGTERM: stop polling, give running activities this long, then exit 0. Container stop
# timeouts must be longer (docker-compose.yml: stop_grace_period 30s).
GRACEFUL_SHUTDOWN = timedelta(seconds=20)
DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464"


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


def build_worker(client: Client, app, executor: concurrent.futures.Executor) -> Worker:  # type: ignore[no-untyped-def]
    settings: Settings = app.config["SETTINGS"]
    sessions = app.extensions["aos_sessions"]
    vies_client = ViesClient(settings.vies_url, requester_vat=settings.vies_requester_vat)
    records = RecordActivities(sessions)
    mail = MailActivities(app, sessions)
    vies = ViesActivities(vies_client, sessions)
    retention = RetentionActivities(sessions)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[RegistrationWorkflow, OutboxMailWorkflow, PersonalDataRetentionWorkflow],
        activities=[
            records.record_status,
            records.activate_account,
            mail.send_registration_email,
            mail.send_outbox_mail,
            vies.check_vat,
            retention.purge_personal_data,
        ],
        activity_executor=executor,
        max_concurrent_activities=20,
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


async def main() -> None:
    settings = startup_settings("aos-worker")
    configure_logging(settings.log_format)
    app = create_app(settings)
    check_smtp(settings)
    check_requester_vat(settings)
    metrics_address = os.environ.get("WORKER_METRICS_ADDRESS", DEFAULT_METRICS_ADDRESS)
    runtime = metrics_runtime(metrics_address)
    client = await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, runtime=runtime
    )
    if runtime is not None:
        log.info("Worker metrics for Prometheus on http://%s/metrics", metrics_address)
    await ensure_search_attributes(client, settings.temporal_namespace)
    try:
        await ensure_retention_schedule(client, settings)
    except RPCError as err:  # the worker still serves registrations; said loudly
        log.error("Could not create the retention schedule: %s", err)
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        worker = build_worker(client, app, executor)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)

        def resume() -> int:
            """Hand over what the web app stored while Temporal was unreachable."""
            bridge = app.extensions["aos_temporal"]
            with app.app_context(), app.extensions["aos_sessions"]() as session:
                return resume_unstarted(session, bridge, settings) + resume_outbox(session, bridge)

        async with worker:
            log.info(
                "Worker polling task queue %s on %s",
                settings.temporal_task_queue,
                settings.temporal_address,
            )
            resumed = await asyncio.to_thread(resume)
            if resumed:
                log.info(
                    "Started %d registration(s) stored while Temporal was unreachable", resumed
                )
            await stop.wait()
            log.info(
                "Shutting down: finishing running activities (at most %ds)",
                GRACEFUL_SHUTDOWN.total_seconds(),
            )
        app.extensions["aos_temporal"].close()
    log.info("Worker stopped")


if __name__ == "__main__":
    asyncio.run(main())
