"""VatOnlyWorkflow: the VIES check alone, for "Send Registration" with an address that is
already registered.

The applicant must see the same thing whether or not the address is taken (ASVS V6.3.8),
and a free address meets the VIES check and its mismatch page first. So a taken address
gets the same check: this workflow runs the check_vat activity and returns its answer.
It stores nothing and mails no one; the web app shows the mismatch page or the decoy.
Deterministic: side effects only in the activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.registration import VIES_RETRY

VAT_ONLY_WORKFLOW_NAME = "VatOnlyWorkflow"
# Nobody waits for the answer longer than the web app's bounded wait (~8 s): retrying VIES
# for a minute is plenty, then the workflow ends (unlike a registration's, nothing follows).
VAT_ONLY_HORIZON = timedelta(seconds=60)


def vat_only_workflow_id(token: str) -> str:
    return f"vat-only-{token}"


@dataclass
class VatOnlyAnswer:
    # None: VIES stayed unavailable (the web app shows the decoy, as for a slow VIES).
    result: c.VatCheckResult | None = None


@workflow.defn(name=VAT_ONLY_WORKFLOW_NAME)
class VatOnlyWorkflow:
    @workflow.run
    async def run(self, req: c.VatCheckRequest) -> VatOnlyAnswer:
        try:
            result = await workflow.execute_activity(
                c.ACTIVITY_CHECK_VAT,
                req,
                result_type=c.VatCheckResult,
                start_to_close_timeout=timedelta(seconds=60),
                schedule_to_close_timeout=VAT_ONLY_HORIZON,
                retry_policy=VIES_RETRY,
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == c.ERROR_VAT_FINAL:
                # As RegistrationWorkflow._check_vat: a final refusal reads as "not valid".
                return VatOnlyAnswer(c.VatCheckResult(valid=False, matches=False))
            return VatOnlyAnswer(None)
        return VatOnlyAnswer(result)
