"""Reports to NAV Online Számla (issue 27): one row per invoice or credit note and attempt,
written by the reporting workflow's activities, read by the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
