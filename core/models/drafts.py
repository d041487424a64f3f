"""A registration wizard in progress (webapp/registration/drafts.py keeps it per browser)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.records import utcnow


class RegistrationDraft(Base):
    __tablename__ = "registration_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # How many steps are complete (0–4): the furthest step the progress bar links to.
    completed: Mapped[int] = mapped_column(Integer, default=0)
    # The last VIES answer when it did not match: shown on the company step.
    vat_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
