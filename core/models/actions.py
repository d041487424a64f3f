"""The inbox of people's actions: what a person did, stored before it is sent to the workflow.

Temporal keeps an admitted Update only in memory until a completed workflow task accepts
it, so a click sent straight to the workflow can vanish when the server stops at the wrong
moment. Each click is therefore a row first (written in the same transaction as its audit
entry); its id is the Update id, so delivering it again is deduplicated by Temporal. The web
app delivers it at once; the worker's sweep delivers it again until it has an outcome:
applied (the Update's result came back) or refused (a final refusal, with its reason).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.models.records import utcnow

# The kinds of action, each one Update of RegistrationWorkflow.
CONFIRM_EMAIL = "confirm_email"
RESEND_CONFIRMATION = "resend_confirmation"
DECIDE = "decide"
ASK_FOR_CHANGES = "ask_for_changes"
SUBMIT_CORRECTION = "submit_correction"
ACTION_KINDS = (CONFIRM_EMAIL, RESEND_CONFIRMATION, DECIDE, ASK_FOR_CHANGES, SUBMIT_CORRECTION)


class PersonAction(Base):
    __tablename__ = "person_actions"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # also the Update id
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"))
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(254))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Exactly one of these ends the row's life: the Update's result, or a final refusal.
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict | None] = mapped_column(JSON)
    refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal_kind: Mapped[str | None] = mapped_column(String(64))
    refusal_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_person_actions_registration", "registration_id"),
        Index("ix_person_actions_pending", "applied_at", "refused_at"),
    )

    @property
    def pending(self) -> bool:
        return self.applied_at is None and self.refused_at is None
