"""OutboxMailWorkflow: deliver one stored email, retrying until the SMTP server takes it."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
    from workflows.policies import MAIL_RETRY


@workflow.defn(name=c.MAIL_WORKFLOW_NAME)
class OutboxMailWorkflow:
    @workflow.run
    async def run(self, job: c.OutboxMailJob) -> str:
        return await workflow.execute_activity(
            c.ACTIVITY_SEND_OUTBOX_MAIL,
            job,
            result_type=str,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=MAIL_RETRY,
        )
