"""The retry policies of every workflow's activities, in one place: what a dependency's
outage means for the process is decided here."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c

# VIES is often down: transient faults are retried with back-off until the horizon.
VIES_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    non_retryable_error_types=[c.ERROR_VAT_FINAL],
)

# Mail (OutboxMailWorkflow): an SMTP outage delays mail, never loses it; no attempt limit.
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=[c.ERROR_REGISTRATION_MISSING],
)

# Database writes: milliseconds, so mostly local activities (one marker event instead of
# three activity events and a task round trip; a worker that dies before the workflow task
# completes runs them again, and they are idempotent). Retried until the database is back;
# a missing record is a bug.
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[c.ERROR_REGISTRATION_MISSING],
)
