"""The records: what must be queried or joined. The workflow owns a registration's state
and writes it here through activities; the web app writes only what the applicant typed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


# What the applicant types into a registration (the form's fields, as stored).
REGISTRATION_FIELDS = (
    "user_type country_code vat_number company_name street postcode city billing_street "
    "billing_postcode billing_city rep_title rep_first_name rep_last_name contact_person "
    "phone email"
).split()


class Registration(Base):
    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # opaque, no personal data
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    language: Mapped[str] = mapped_column(String(5), default="hu")

    user_type: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2))
    vat_number: Mapped[str] = mapped_column(String(20))  # without the country prefix
    company_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    # VIES's address adopted verbatim when it could not be split into street/postcode/city:
    # the VAT check compares it; street, postcode and city remain the contact address.
    adopted_address: Mapped[str | None] = mapped_column(Text)
    billing_street: Mapped[str] = mapped_column(String(200))
    billing_postcode: Mapped[str] = mapped_column(String(20))
    billing_city: Mapped[str] = mapped_column(String(100))
    rep_title: Mapped[str] = mapped_column(String(40), default="")
    rep_first_name: Mapped[str] = mapped_column(String(100))
    rep_last_name: Mapped[str] = mapped_column(String(100))
    contact_person: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, set by Flask only

    # Written by the workflow's activities.
    status: Mapped[str] = mapped_column(String(40), default="SUBMITTED")
    status_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    workflow_started: Mapped[bool] = mapped_column(Boolean, default=False)
    # NULL once the registration has ended: the partial unique index below then lets
    # the same address start again.
    open_email: Mapped[str | None] = mapped_column(String(254))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    vies_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Set by the retention purge: only the non-personal record is left.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    emails: Mapped[list[SentEmail]] = relationship(back_populates="registration")

    __table_args__ = (
        # At most one open registration per email address, enforced by the database.
        Index(
            "uq_registrations_open_email",
            "open_email",
            unique=True,
            sqlite_where=text("open_email IS NOT NULL"),
            postgresql_where=text("open_email IS NOT NULL"),
        ),
        Index("ix_registrations_status", "status"),
    )


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # "applicant" for workshops; "admin" for console accounts, whose duties are in roles.
    role: Mapped[str] = mapped_column(String(20), default="applicant")
    # Console duties, comma-separated: "reviewer" (registrations), "support" (help requests).
    roles: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="hu")
    user_type: Mapped[str | None] = mapped_column(String(20))
    company_name: Mapped[str | None] = mapped_column(String(200))
    registration_id: Mapped[str | None] = mapped_column(ForeignKey("registrations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Bumped to end every session of the account at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set while an applicant account is disabled from the console.
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Closed by its owner ("Close my account"); the retention purge erases it later.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Console second factor (TOTP). The secret exists from the first enrolment page on;
    # the account counts as enrolled only once a code confirmed it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last time step accepted: a code is never accepted twice (RFC 6238, 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Consecutive wrong codes and the last one's time: 5 in a row lock the code entry.
    totp_failures: Mapped[int] = mapped_column(Integer, default=0)
    totp_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in (self.roles or "").split(",") if r)

    def has_role(self, role: str) -> bool:
        return self.is_admin and role in self.role_set


class SentEmail(Base):
    """The sent-mail ledger: written as soon as the SMTP server accepted a message, so a
    retried activity does not send it again."""

    __tablename__ = "sent_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255))
    registration_id: Mapped[str | None] = mapped_column(ForeignKey("registrations.id"))
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    registration: Mapped[Registration | None] = relationship(back_populates="emails")

    __table_args__ = (UniqueConstraint("message_id", name="uq_sent_emails_message_id"),)


class OutboxMessage(Base):
    """An email to send outside a registration's workflow (support, password reset, notices).

    Stored first, then handed to OutboxMailWorkflow by id, so a Temporal outage delays it
    and the worker's start-up sweep picks it up."""

    __tablename__ = "outbox_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))  # template: email/<kind>.{subject.txt,txt,html}
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="hu")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registration_id: Mapped[str | None] = mapped_column(ForeignKey("registrations.id"))
    workflow_started: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


class ViesFault(Base):
    """A VIES failure that is the portal's own fault (IP_BLOCKED, INVALID_REQUESTER_INFO, an
    unknown code): what the console's banner shows the operators. No personal data."""

    __tablename__ = "vies_faults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")

    __table_args__ = (Index("ix_vies_faults_at", "at"),)
