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
from core.names import person_name

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


def _rows(session: Session, model: type, where: Any, *order: Any) -> list[dict[str, Any]]:
    """One table's rows about the person, oldest first, as exported."""
    return [row(obj) for obj in session.scalars(select(model).where(where).order_by(*order))]


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
        # The representative's name as the registration's language writes it, beside its parts.
        "registrations": [
            {
                **row(r),
                "legal_representative": person_name(
                    r.rep_title, r.rep_first_name, r.rep_last_name, r.language
                ),
            }
            for r in registrations
        ],
        # Asking for changes: each round (message, values before and after) and attempt.
        "change_requests": _rows(
            session,
            m.ChangeRequest,
            m.ChangeRequest.registration_id.in_(reg_ids),
            m.ChangeRequest.registration_id,
            m.ChangeRequest.round,
        ),
        "corrections_sent": _rows(
            session,
            m.CorrectionAttempt,
            m.CorrectionAttempt.registration_id.in_(reg_ids),
            m.CorrectionAttempt.submitted_at,
        ),
        "emails_sent": _rows(
            session,
            m.SentEmail,
            or_(m.SentEmail.registration_id.in_(reg_ids), m.SentEmail.recipient == account.email),
            m.SentEmail.accepted_at,
        ),
        "emails_queued": _rows(
            session,
            m.OutboxMessage,
            or_(
                m.OutboxMessage.registration_id.in_(reg_ids),
                m.OutboxMessage.recipient == account.email,
            ),
            m.OutboxMessage.created_at,
        ),
        "audit_log": _rows(
            session,
            m.AuditEntry,
            or_(m.AuditEntry.registration_id.in_(reg_ids), m.AuditEntry.detail == account.email),
            m.AuditEntry.at,
        ),
        "login_sessions": _rows(
            session,
            m.LoginSession,
            m.LoginSession.account_id == account.id,
            m.LoginSession.created_at,
        ),
        "support_requests": [
            {
                **row(r),
                "messages": _rows(
                    session,
                    m.SupportMessage,
                    m.SupportMessage.request_id == r.id,
                    m.SupportMessage.id,
                ),
            }
            for r in requests
        ],
    }
