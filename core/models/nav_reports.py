"""Reports to NAV Online Számla (issue 27): one row per invoice or credit note and attempt,
written by the reporting workflow's activities, read by the console."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.models.base import Base
from core.models.records import utcnow


class NavReport(Base):
    __tablename__ = "nav_reports"
    __table_args__ = (UniqueConstraint("invoice_number", "attempt", name="uq_nav_report_attempt"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # the workflow id
    invoice_number: Mapped[str] = mapped_column(String(50), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    operation: Mapped[str] = mapped_column(String(8))
    transaction_id: Mapped[str | None] = mapped_column(String(30))
    # workflows.invoice_contracts.ReportStatus
    status: Mapped[str] = mapped_column(String(12), default="SUBMITTING")
    # NAV's messages: [{"result_code", "code", "text", "line"}, ...]
    messages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def latest_reports(session: Session, invoice_numbers: Iterable[str]) -> dict[str, NavReport]:
    """Each invoice's newest attempt: the NAV status the console shows beside it."""
    numbers = list(invoice_numbers)
    if not numbers:
        return {}
    newest = (
        select(NavReport.invoice_number, func.max(NavReport.attempt).label("attempt"))
        .where(NavReport.invoice_number.in_(numbers))
        .group_by(NavReport.invoice_number)
        .subquery()
    )
    rows = session.scalars(
        select(NavReport).join(
            newest,
            (NavReport.invoice_number == newest.c.invoice_number)
            & (NavReport.attempt == newest.c.attempt),
        )
    )
    return {row.invoice_number: row for row in rows}


def next_attempt(session: Session, invoice_number: str) -> int:
    """The attempt number of a corrected re-send (1 for the first report)."""
    last = session.scalar(
        select(func.max(NavReport.attempt)).where(NavReport.invoice_number == invoice_number)
    )
    return (last or 0) + 1
