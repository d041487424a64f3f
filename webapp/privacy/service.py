"""Privacy without Flask: closing an account, the configured durations in words.
What the applicant downloads is assembled in export.py."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.units import format_unit
from sqlalchemy.orm import Session

from core.models import Account, AuditEntry


def duration(seconds: int, language: str) -> str:
    """A configured duration in words: '90 nap', '48 hours' (days from three days on)."""
    for unit, size, least in (("day", 86400, 3 * 86400), ("hour", 3600, 3600), ("minute", 60, 60)):
        if seconds >= least and seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", locale=language)
    return format_unit(seconds, "duration-second", locale=language)


def close_account(session: Session, account: Account) -> None:
    """Disable the login and audit it; the caller ends the sessions (and commits), the
    retention purge erases the account later."""
    now = datetime.now(UTC)
    account.active = False
    account.closed_at = now
    session.add(
        AuditEntry(
            at=now,
            actor=account.email,
            action="account.closed",
            registration_id=account.registration_id,
            detail=account.email,
        )
    )
