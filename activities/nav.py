"""Reporting to NAV Online Számla: manageInvoice, then queryTransactionStatus (issue 27).

Each activity does one call and writes what it learnt to the report's row (`nav_reports`),
so the console sees every step. NAV down (`NavUnavailable`) is raised and retried by the
workflow's policy; NAV refusing the request itself is a REJECTED outcome, returned.
"""

from __future__ import annotations

import base64
import logging

from sqlalchemy.orm import sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.models import NavReport
from nav.client import NavClient, NavMessage, NavRejected, NavUnavailable
from workflows import invoice_contracts as ic

log = logging.getLogger("aos.nav")
ERROR_NAV_UNAVAILABLE = "NAV_UNAVAILABLE"


def _messages(messages: tuple[NavMessage, ...]) -> list[ic.NavMessageData]:
    return [ic.NavMessageData(m.result_code, m.code, m.text, m.line) for m in messages]


def _stored(messages: list[ic.NavMessageData]) -> list[dict[str, object]]:
    return [vars(m).copy() for m in messages]


class NavActivities:
    def __init__(self, client: NavClient | None, sessions: sessionmaker) -> None:
        self._client = client
        self._sessions = sessions

    def _nav(self) -> NavClient:
        if self._client is None:  # a setting to fix; the reports wait meanwhile
            log.error("NAV is not configured (NAV_LOGIN, ...): invoice reports wait.")
            raise ApplicationError("NAV is not configured", type=ERROR_NAV_UNAVAILABLE)
        return self._client

    def _save(self, report_id: str, **values: object) -> None:
        with self._sessions.begin() as session:
            report = session.get(NavReport, report_id)
            for name, value in values.items():
                setattr(report, name, value)

    @activity.defn(name=ic.ACTIVITY_SUBMIT_INVOICE_REPORT)
    def submit_invoice_report(self, req: ic.InvoiceReportInput) -> ic.SubmitResult:
        if req.operation not in ic.OPERATIONS:  # the caller's bug: no retry mends it
            raise ApplicationError(
                f"Unknown NAV operation {req.operation!r} (CREATE, MODIFY or STORNO)",
                type=ic.ERROR_BAD_REPORT,
                non_retryable=True,
            )
        with self._sessions.begin() as session:
            report = session.get(NavReport, req.report_id)
            if report is None:
                session.add(
                    NavReport(
                        id=req.report_id,
                        invoice_number=req.invoice_number,
                        attempt=req.attempt,
                        operation=req.operation,
                        status=ic.ReportStatus.SUBMITTING,
                        messages=[],
                    )
                )
            elif report.transaction_id:  # NAV took it before this retry: never twice
                return ic.SubmitResult(report.status, report.transaction_id)
        nav = self._nav()
        try:
            transaction_id = nav.manage_invoice(
                req.operation, base64.b64decode(req.invoice_xml_b64)
            )
        except NavUnavailable as err:
            log.warning("NAV unavailable for %s: %s", req.report_id, err)
            raise ApplicationError(str(err), type=ERROR_NAV_UNAVAILABLE) from err
        except NavRejected as err:
            log.error("NAV refused the report %s: %s", req.report_id, err)
            messages = [ic.NavMessageData("ERROR", err.code, err.message), *_messages(err.messages)]
            self._save(req.report_id, status=ic.ReportStatus.REJECTED, messages=_stored(messages))
            return ic.SubmitResult(ic.ReportStatus.REJECTED, None, messages)
        self._save(req.report_id, status=ic.ReportStatus.RECEIVED, transaction_id=transaction_id)
        return ic.SubmitResult(ic.ReportStatus.RECEIVED, transaction_id)

    @activity.defn(name=ic.ACTIVITY_QUERY_INVOICE_REPORT)
    def query_invoice_report(self, req: ic.StatusRequest) -> ic.StatusResult:
        try:
            status = self._nav().query_transaction_status(req.transaction_id)
        except NavUnavailable as err:
            raise ApplicationError(str(err), type=ERROR_NAV_UNAVAILABLE) from err
        except NavRejected as err:  # the transaction is NAV's: asked again once fixed
            log.error("NAV refused the status query of %s: %s", req.report_id, err)
            raise ApplicationError(str(err), type=ERROR_NAV_UNAVAILABLE) from err
        messages = _messages(status.messages)
        self._save(req.report_id, status=status.status, messages=_stored(messages))
        if status.status == ic.ReportStatus.ABORTED:
            log.error("NAV aborted %s: %s", req.report_id, [m.code for m in messages])
        return ic.StatusResult(status.status, messages)
