"""InvoiceReportWorkflow: one invoice or credit note reported to NAV Online Számla.

manageInvoice (submit_invoice_report), then queryTransactionStatus (query_invoice_report)
until NAV says DONE or ABORTED. While NAV is down, each call is retried with back-off for
days (NAV_RETRY, NAV_HORIZON); what NAV decided, ABORTED with its messages or the
request REJECTED, ends this attempt: a corrected report is a new workflow, attempt + 1
(`report_workflow_id`). Deterministic: the calls and the database writes are activities.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows import invoice_contracts as ic

# NAV down: attempts 30 s, 1 min, 2 min ... then every 30 min, for up to 7 days: the
# invoices of a long outage are reported once NAV is back.
NAV_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=30),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    non_retryable_error_types=[ic.ERROR_BAD_REPORT],
)
NAV_HORIZON = timedelta(days=7)
CALL_TIMEOUT = timedelta(minutes=2)  # one HTTP exchange (two for manageInvoice)
# NAV processes an invoice in seconds to minutes: ask after 5 s, then less and less often.
FIRST_POLL = timedelta(seconds=5)
LONGEST_POLL = timedelta(minutes=10)
MAX_POLLS = 300  # ~2 days at the longest interval; the history stays small


@workflow.defn(name=ic.INVOICE_REPORT_WORKFLOW)
class InvoiceReportWorkflow:
    def __init__(self) -> None:
        self._status = ic.ReportStatus.SUBMITTING.value

    @workflow.query
    def status(self) -> str:
        return self._status

    async def _call(self, activity: str, arg: object, result_type: type):  # type: ignore[no-untyped-def]
        return await workflow.execute_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=CALL_TIMEOUT,
            schedule_to_close_timeout=NAV_HORIZON,
            retry_policy=NAV_RETRY,
        )

    @workflow.run
    async def run(self, inp: ic.InvoiceReportInput) -> ic.InvoiceReportResult:
        started = workflow.now()
        submitted: ic.SubmitResult = await self._call(
            ic.ACTIVITY_SUBMIT_INVOICE_REPORT, inp, ic.SubmitResult
        )
        self._status, messages, polls = submitted.status, submitted.messages, 0
        delay = FIRST_POLL
        while submitted.transaction_id and self._status not in ic.FINAL_STATUSES:
            if polls >= MAX_POLLS:
                break
            await workflow.sleep(delay)
            polls += 1
            answer: ic.StatusResult = await self._call(
                ic.ACTIVITY_QUERY_INVOICE_REPORT,
                ic.StatusRequest(inp.report_id, submitted.transaction_id),
                ic.StatusResult,
            )
            self._status, messages = answer.status, answer.messages
            delay = min(delay * 2, LONGEST_POLL)
        return ic.InvoiceReportResult(
            report_id=inp.report_id,
            invoice_number=inp.invoice_number,
            status=self._status,
            transaction_id=submitted.transaction_id,
            messages=messages,
            started_at=started.isoformat(),
            finished_at=workflow.now().isoformat(),
            polls=polls,
        )
