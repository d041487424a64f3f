"""VatOnlyWorkflow: the VIES check alone, for "Send Registration" with an address that is
already registered.

The applicant must see the same thing whether or not the address is taken (ASVS V6.3.8),
and a free address meets the VIES check and its mismatch page first. So a taken address
gets the same check: this workflow runs the check_vat activity and returns its answer.
It stores nothing and mails no one; the web app shows the mismatch page or the decoy.
Deterministic: side effects only in the activity.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c
from workflows.effects import check_vat

# Nobody waits for the answer longer than the web app's bounded wait (~8 s): retrying VIES
# for a minute is plenty, then the workflow ends (unlike a registration's, nothing follows).
VAT_ONLY_HORIZON = timedelta(seconds=60)


@workflow.defn(name=c.VAT_ONLY_WORKFLOW_NAME)
class VatOnlyWorkflow:
    @workflow.run
    async def run(self, req: c.VatCheckRequest) -> c.VatOnlyAnswer:
        # The registration's own VIES step: a final refusal reads as "not valid", VIES
        # unavailable past the horizon as None (the web app then shows the decoy).
        result = await check_vat(req, int(VAT_ONLY_HORIZON.total_seconds()))
        return c.VatOnlyAnswer(result)
