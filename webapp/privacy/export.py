"""Download my data: everything the portal holds about an account and its registrations,
as one JSON document. Columns are listed from the models, so a new column is exported
unless it is a secret named here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from core import models as m
from core.models import Account

# Secrets and internals: never in the export (a hash or a TOTP secret helps only an attacker).
EXCLUDED = frozenset(
    {
        "password_hash",
        "totp_secret",
        "totp_last_step",
        "totp_failures",
        "totp_failed_at",
        "session_version",
        "workflow_started",
        "token_hash",
    }
)
FORMAT_VERSION = 1


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row(obj: object) -> dict[str, Any]:
    """A model row's columns, secrets left out."""
    mapper = inspect(obj).mapper
    return {
        attr.key: _value(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in EXCLUDED
    }


def personal_data(session: Session, account: Account) -> dict[str, Any]:
    registrations = session.scalars(
        select(m.Registration)
        .where(
            or_(m.Registration.email == account.email, m.Registration.id == account.registration_id)
        )
        .order_by(m.Registration.created_at)
    ).all()
    reg_ids = [r.id for r in registrations]
    requests = session.scalars(
        select(m.SupportRequest)
        .where(
            or_(m.SupportRequest.account_id == account.id, m.SupportRequest.email == account.email)
        )
        .order_by(m.SupportRequest.created_at)
    ).all()
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "account": row(account),
        "registrations": [row(r) for r in registrations],
        # Asking for changes: each round (message, values before and after) and attempt.
        "change_requests": [
            row(r)
            for r in session.scalars(
                select(m.ChangeRequest)
                .where(m.ChangeRequest.registration_id.in_(reg_ids))
                .order_by(m.ChangeRequest.registration_id, m.ChangeRequest.round)
            )
        ],
        "corrections_sent": [
            row(a)
            for a in session.scalars(
                select(m.CorrectionAttempt)
                .where(m.CorrectionAttempt.registration_id.in_(reg_ids))
                .order_by(m.CorrectionAttempt.submitted_at)
            )
        ],
        "emails_sent": [
            row(e)
            for e in session.scalars(
                select(m.SentEmail)
                .where(
                    or_(
                        m.SentEmail.registration_id.in_(reg_ids),
                        m.SentEmail.recipient == account.email,
                    )
                )
                .order_by(m.SentEmail.accepted_at)
            )
        ],
        "emails_queued": [
            row(m)
            for m in session.scalars(
                select(m.OutboxMessage)
                .where(
                    or_(
                        m.OutboxMessage.registration_id.in_(reg_ids),
                        m.OutboxMessage.recipient == account.email,
                    )
                )
                .order_by(m.OutboxMessage.created_at)
            )
        ],
        "audit_log": [
            row(a)
            for a in session.scalars(
                select(m.AuditEntry)
                .where(
                    or_(
                        m.AuditEntry.registration_id.in_(reg_ids),
                        m.AuditEntry.detail == account.email,
                    )
                )
                .order_by(m.AuditEntry.at)
            )
        ],
        "login_sessions": [
            row(s)
            for s in session.scalars(
                select(m.LoginSession)
                .where(m.LoginSession.account_id == account.id)
                .order_by(m.LoginSession.created_at)
            )
        ],
        "support_requests": [
            {
                **row(r),
                "messages": [
                    row(m)
                    for m in session.scalars(
                        select(m.SupportMessage)
                        .where(m.SupportMessage.request_id == r.id)
                        .order_by(m.SupportMessage.id)
                    )
                ],
            }
            for r in requests
        ],
    }
