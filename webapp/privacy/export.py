"""Download my data: everything the portal holds about an account and its registrations,
as one JSON document. Columns are listed from the models, so a new column is exported
unless it is a secret named here.

Two things are left out on purpose: live secrets (an email's links carry signed tokens: a
reset link would let whoever holds the file set the password, so the export says which
links an email had, not the links), and the reviewers' login addresses (they are not the
applicant's personal data, and knowing them lets strangers aim at the console login):
the role is named instead."""

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
FORMAT_VERSION = 2
# What stands in for a link of a queued email: its token may still work.
LINK_LEFT_OUT = "(link not included)"


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


def _secretless(context: Any) -> Any:
    """An email's context with every link and token replaced: "reset_url", "confirm_url",
    "status_url", "restart_url" … all carry a signed token."""
    if isinstance(context, dict):
        return {
            key: LINK_LEFT_OUT if key.endswith("_url") or "token" in key else _secretless(value)
            for key, value in context.items()
        }
    if isinstance(context, list):
        return [_secretless(value) for value in context]
    return context


def _named_by_role(rows: list[dict[str, Any]], field: str, own: str, role: str) -> None:
    """Whoever is not the applicant is named by the role, not by the login address."""
    for item in rows:
        if item.get(field) and item[field] != own:
            item[field] = role


def personal_data(
    session: Session, account: Account, reviewer: str = "an administrator"
) -> dict[str, Any]:
    """The export of `account`; `reviewer` names whoever else acted (in the reader's
    language)."""
    data = _personal_data(session, account)
    for item in data["emails_queued"]:
        item["context"] = _secretless(item.get("context"))
    # The reviewers' notices about the registration went to console addresses.
    _named_by_role(data["emails_queued"], "recipient", account.email, reviewer)
    _named_by_role(data["emails_sent"], "recipient", account.email, reviewer)
    _named_by_role(data["registrations"], "decided_by", account.email, reviewer)
    _named_by_role(data["change_requests"], "requested_by", account.email, reviewer)
    _named_by_role(data["audit_log"], "actor", account.email, reviewer)
    _named_by_role(data["support_requests"], "assigned_to", account.email, reviewer)
    for request in data["support_requests"]:
        agents = [m for m in request["messages"] if m.get("author") == "agent"]
        _named_by_role(agents, "author_email", account.email, reviewer)
    return data


def _personal_data(session: Session, account: Account) -> dict[str, Any]:
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
