"""What the invoice reporting workflow and its activities say to each other (issue 27).

Plain dataclasses and names, importing nothing of ours: the workflow, the activities, the
worker and the invoicing side that starts a report all use them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum

INVOICE_REPORT_WORKFLOW = "InvoiceReportWorkflow"
ACTIVITY_SUBMIT_INVOICE_REPORT = "submit_invoice_report"
ACTIVITY_QUERY_INVOICE_REPORT = "query_invoice_report"
# A report the caller got wrong (an unknown operation): the workflow fails, never retried.
ERROR_BAD_REPORT = "NAV_BAD_REPORT"
OPERATIONS = ("CREATE", "MODIFY", "STORNO")


class ReportStatus(StrEnum):
    SUBMITTING = "SUBMITTING"  # not yet accepted by NAV (it may be down)
    RECEIVED = "RECEIVED"  # NAV's own statuses from here
    PROCESSING = "PROCESSING"
    SAVED = "SAVED"
    DONE = "DONE"
    ABORTED = "ABORTED"
    REJECTED = "REJECTED"  # NAV refused the request before taking the invoice in


FINAL_STATUSES = frozenset({ReportStatus.DONE, ReportStatus.ABORTED, ReportStatus.REJECTED})


def report_workflow_id(invoice_number: str, attempt: int = 1) -> str:
    """One workflow per invoice and attempt: a corrected report is a new attempt."""
    return f"nav-report-{invoice_number}-{attempt}"


@dataclass
class NavMessageData:
    result_code: str  # ERROR, WARN, INFO (CRITICAL for technical ones)
    code: str  # NAV's code, e.g. INVOICE_NUMBER_NOT_UNIQUE
    text: str
    line: int | None = None


@dataclass
class InvoiceReportInput:
    invoice_number: str
    operation: str  # CREATE, MODIFY (a credit note), STORNO
    invoice_xml_b64: str  # nav.invoice_xml.invoice_data_xml(...), base64
    attempt: int = 1

    @property
    def report_id(self) -> str:
        return report_workflow_id(self.invoice_number, self.attempt)

    @classmethod
    def of(
        cls, invoice_number: str, operation: str, invoice_xml: bytes, attempt: int = 1
    ) -> InvoiceReportInput:
        """The workflow's input from the invoice data XML itself."""
        encoded = base64.b64encode(invoice_xml).decode("ascii")
        return cls(invoice_number, operation, encoded, attempt)


@dataclass
class SubmitResult:
    status: str  # SUBMITTING → RECEIVED once NAV took it; REJECTED when it refused
    transaction_id: str | None = None
    messages: list[NavMessageData] = field(default_factory=list)


@dataclass
class StatusRequest:
    report_id: str
    transaction_id: str


@dataclass
class StatusResult:
    status: str
    messages: list[NavMessageData] = field(default_factory=list)


@dataclass
class InvoiceReportResult:
    report_id: str
    invoice_number: str
    status: str
    transaction_id: str | None
    messages: list[NavMessageData]
    started_at: str  # ISO 8601, workflow time
    finished_at: str
    polls: int
