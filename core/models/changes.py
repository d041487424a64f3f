"""Asking for changes: each round an administrator opens, and each correction the applicant
sends in it. Personal data (the message, the values before and after) are erased by the
retention purge like the registration's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.models.base import Base
from core.models.records import utcnow


class ChangeRequest(Base):
    """One round of "Ask for changes", written by the workflow's activity when it enters
    CHANGES_REQUESTED; `before`/`after` once a correction was accepted."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"))
    round: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(254))  # the administrator's email
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # contracts.CHANGE_GROUPS keys
    message: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # field → value, only the fields of the ticked groups.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("registration_id", "round", name="uq_change_round"),)

    @property
    def fields(self) -> list[str]:
        from workflows.contracts import CHANGE_GROUPS

        return [name for group in self.groups for name in CHANGE_GROUPS.get(group, ())]


class CorrectionAttempt(Base):
    """What the applicant typed on the correction page, stored by the web app before it
    hands the attempt's id to the workflow; the workflow's activity records the outcome."""

    __tablename__ = "correction_attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"))
    round: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field → typed value
    # "accepted", "vat_mismatch", or NULL while the workflow has not decided.
    outcome: Mapped[str | None] = mapped_column(String(20))
    vies_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def latest_round(session: Session, registration_id: str) -> ChangeRequest | None:
    """The registration's newest round of "Ask for changes" (the one its emails and the
    correction page are about), if it has had one."""
    return session.scalars(
        select(ChangeRequest)
        .where(ChangeRequest.registration_id == registration_id)
        .order_by(ChangeRequest.round.desc())
    ).first()
