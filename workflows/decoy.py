"""DecoyResendWorkflow: what "Send again" on a decoy status page costs (ASVS V6.3.8).

A real resend is a Temporal Update that the worker runs (workflows/confirmation.py); a
decoy (an address already registered, webapp/registration/decoy.py) has no workflow, and
answering it without one was ten times faster: the time told the address was registered.
This workflow is the decoy's round trip through the server and the worker: started and
awaited by the web app; outside the cool-down it runs, as a real resend's email does, a
local activity of the same statements and server call (activities/decoy.py), which stores
nothing and mails no one. Deterministic.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c

DECOY_RESEND_WORKFLOW_NAME = "DecoyResendWorkflow"
# Nothing waits for it longer than a view's Temporal call.
DECOY_RESEND_TIMEOUT = timedelta(seconds=30)


def decoy_resend_workflow_id(token: str) -> str:
    return f"decoy-resend-{token}"


@workflow.defn(name=DECOY_RESEND_WORKFLOW_NAME)
class DecoyResendWorkflow:
    @workflow.run
    async def run(self, request: c.DecoyResendRequest) -> str:
        # Inside the cool-down a real resend is refused by its validator, before any
        # activity; the web app knows the decoy's age from its id and says which applies.
        if request.send:
            await workflow.execute_local_activity(
                c.ACTIVITY_DECOY_RESEND, request, start_to_close_timeout=timedelta(seconds=30)
            )
        return "sent"
