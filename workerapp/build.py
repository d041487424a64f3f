"""The worker itself: every workflow and activity registered on one Temporal Worker.

Called by the entry point (worker.py, through workerapp/supervise.py) and by the tests that
run a worker in process. Installs nothing process-wide: the entry points install the AST
guard (core/ast_threads.py).
"""

from __future__ import annotations

import concurrent.futures
from datetime import timedelta

from sqlalchemy.orm import sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.mail import MailActivities
from activities.nav import NavActivities
from activities.records import RecordActivities
from activities.retention import RetentionActivities
from activities.vies import ViesActivities
from core.config import Settings
from core.mail_app import MailApp
from nav.client import NavClient
from vies.client import ViesClient
from workflows.invoice_report import InvoiceReportWorkflow
from workflows.mail import OutboxMailWorkflow
from workflows.registration import RegistrationWorkflow
from workflows.retention import PersonalDataRetentionWorkflow
from workflows.vat_only import VatOnlyWorkflow

# SIGTERM: stop polling, give running activities this long, then exit 0. Container stop
# timeouts must be longer (docker-compose.yml: stop_grace_period 30s).
GRACEFUL_SHUTDOWN = timedelta(seconds=20)
# The sandbox runs each workflow run in fresh copies of its modules; the contracts are plain
# dataclasses and enums without state or I/O, so they are shared instead of executed again
# for every run and replay (README "Performance" says what that bought).
SHARED_WITH_WORKFLOWS = (
    "workflows.contracts",
    "workflows.retention_contracts",
    "workflows.invoice_contracts",
)


def build_worker(
    client: Client,
    settings: Settings,
    sessions: sessionmaker,
    executor: concurrent.futures.Executor,
) -> Worker:
    vies_client = ViesClient(settings.vies_url, requester_vat=settings.vies_requester_vat)
    records = RecordActivities(sessions)
    mail = MailActivities(MailApp(settings), sessions)
    vies = ViesActivities(vies_client, sessions)
    retention = RetentionActivities(sessions)
    nav = NavActivities(NavClient(settings.nav) if settings.nav else None, sessions)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[
            RegistrationWorkflow,
            OutboxMailWorkflow,
            PersonalDataRetentionWorkflow,
            VatOnlyWorkflow,
            InvoiceReportWorkflow,
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
            nav.submit_invoice_report,
            nav.query_invoice_report,
        ],
        activity_executor=executor,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(
                *SHARED_WITH_WORKFLOWS
            )
        ),
        max_concurrent_activities=20,
        # Registrations wait for days: a bounded cache keeps the worker's memory flat
        # however many wait; an evicted workflow is replayed from its short history on its
        # next wake-up (WORKER_WORKFLOW_CACHE; README "Performance" has the figures).
        max_cached_workflows=settings.worker_workflow_cache,
        # A sticky queue is worth it only for bursts (submit → VIES answer → email in
        # seconds); after 5 s of silence the next task goes to any worker.
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=5),
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )
