"""PersonalDataRetentionWorkflow: one run of the daily retention schedule.

The workflow only says when "now" is (workflow time, so the time-skipping server can pass
90 days); the purge activity decides, idempotently, what has outlived the period."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows import retention_contracts as rc

PURGE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    # A database outage is retried; the next day's run would catch up anyway.
    maximum_attempts=20,
)


@workflow.defn(name=rc.RETENTION_WORKFLOW_NAME)
class PersonalDataRetentionWorkflow:
    @workflow.run
    async def run(self, params: rc.RetentionInput) -> rc.PurgeResult:
        request = rc.PurgeRequest(
            now=workflow.now().isoformat(), retention_seconds=params.retention_seconds
        )
        result: rc.PurgeResult = await workflow.execute_activity(
            rc.ACTIVITY_PURGE_PERSONAL_DATA,
            request,
            result_type=rc.PurgeResult,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=PURGE_RETRY,
        )
        return result
