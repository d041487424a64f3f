"""Applicant login's decisions, without Flask: who the email is and what the password opens.

Before approval, "pending review" is said only after a correct password; the view turns
each outcome into its message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Account, Registration
from core.passwords import verify_password
from workflows import contracts as c


class Outcome(StrEnum):
    WRONG = "wrong"  # unknown email or wrong password: one generic message
    ACTIVE = "active"
    CLOSED = "closed"
    DISABLED = "disabled"
    PENDING_REVIEW = "pending_review"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class LoginCheck:
    outcome: Outcome
    account: Account | None = None


def check_login(session: Session, email: str, password: str) -> LoginCheck:
    """The applicant account (or open registration) of `email` against `password`."""
    account = session.scalars(
        select(Account).where(Account.email == email, Account.role == "applicant")
    ).first()
    pending = None
    if account is None:
        pending = session.scalars(
            select(Registration).where(Registration.open_email == email)
        ).first()
    # Exactly one hash check on every path, so timing does not tell known from unknown.
    stored_hash = account.password_hash if account else (pending.password_hash if pending else None)
    if not verify_password(stored_hash, password):
        return LoginCheck(Outcome.WRONG)
    if account is not None and account.active:
        return LoginCheck(Outcome.ACTIVE, account)
    if account is not None and account.closed_at is not None:
        return LoginCheck(Outcome.CLOSED, account)
    if account is not None:
        return LoginCheck(Outcome.DISABLED, account)
    if pending is not None and pending.status == c.Status.AWAITING_REVIEW:
        return LoginCheck(Outcome.PENDING_REVIEW)
    return LoginCheck(Outcome.UNCONFIRMED)
