"""Support requests and their threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base
from core.models.records import utcnow

STATUSES = ("new", "in_progress", "answered", "closed")
OPEN_STATUSES = ("new", "in_progress")


class SupportRequest(Base):
    __tablename__ = "support_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    topic: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="new")
    # Set when the request was sent logged in: only that account may read it in the portal.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    language: Mapped[str] = mapped_column(String(5), default="hu")
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    # The topic's own questions: [[field name, answer], ...] in the form's order.
    answers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    assigned_to: Mapped[str | None] = mapped_column(String(254))

    messages: Mapped[list[SupportMessage]] = relationship(
        back_populates="request", order_by="SupportMessage.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_support_requests_status", "status"),
        Index("ix_support_requests_account", "account_id"),
    )


class SupportMessage(Base):
    """One message of a request's thread: the applicant's text, a follow-up or a reply."""

    __tablename__ = "support_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author: Mapped[str] = mapped_column(String(20))  # "applicant" or "agent"
    author_email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)

    request: Mapped[SupportRequest] = relationship(back_populates="messages")
