"""DecoyResendWorkflow: what "Send again" on a decoy status page costs (ASVS V6.3.8).

A real resend is a Temporal Update on the registration's workflow (workflows/registration.py):
inside the cool-down its validator refuses it, else it queues the email in a local activity.
A decoy (an address already registered, webapp/registration/decoy.py) has no workflow, and
answering it without one was ten times faster: the time told the address was registered.
So every decoy's "Send again" is the same kind of Update, on one long-running workflow per
task queue (decoy_resends_workflow_id): refused by its validator inside the cool-down (the
web app knows the decoy's age from its id), else a local activity of the same statements and
server call as a real resend's email (activities/decoy.py), storing nothing and mailing no
one. Its history stays short: it continues as new every UPDATES_PER_RUN Updates. Deterministic.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c

DECOY_RESEND_WORKFLOW_NAME = "DecoyResendWorkflow"
UPDATES_PER_RUN = 200


def decoy_resends_workflow_id(task_queue: str) -> str:
    return f"aos-decoy-resends-{task_queue}"


@workflow.defn(name=DECOY_RESEND_WORKFLOW_NAME)
class DecoyResendWorkflow:
    def __init__(self) -> None:
        self._handled = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(
            lambda: (
                self._handled >= UPDATES_PER_RUN or workflow.info().is_continue_as_new_suggested()
            )
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new()

    @workflow.query(name=c.QUERY_DECOY_STATUS)
    def status(self) -> int:
        """What a decoy's status page asks, as a real one asks its registration's status."""
        return self._handled

    @workflow.update(name=c.UPDATE_DECOY_RESEND)
    async def resend(self, request: c.DecoyResendRequest) -> str:
        self._handled += 1
        await workflow.execute_local_activity(
            c.ACTIVITY_DECOY_RESEND, request, start_to_close_timeout=timedelta(seconds=30)
        )
        return "sent"

    @resend.validator
    def _validate_resend(self, request: c.DecoyResendRequest) -> None:
        if request.wait > 0:  # as RegistrationWorkflow._validate_resend refuses it
            raise ApplicationError(
                "The confirmation email was sent a moment ago.",
                request.wait,
                type=c.REFUSED_RESEND_COOLDOWN,
                non_retryable=True,
            )


@workflow.defn(name=c.DECOY_MAIL_WORKFLOW_NAME)
class DecoyMailWorkflow:
    """Started where a real resend starts its email's OutboxMailWorkflow: a workflow the
    server records and the worker runs once; it sends nothing."""

    @workflow.run
    async def run(self, request: c.DecoyResendRequest) -> str:
        return "sent"
