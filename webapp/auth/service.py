"""Applicant login and password reset without Flask: who the email is and what the
password opens; the reset link's token and the new password's bookkeeping.

Before approval, "pending review" is said only after a correct password; the view turns
each outcome into its message."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Account, AuditEntry, Registration
from core.passwords import hash_password, verify_password
from webapp.admin import totp
from webapp.auth import recovery
from webapp.mailer import queue_email
from webapp.service_context import ServiceContext
from workflows import contracts as c

RESET_MAX_AGE = 3600  # seconds: the link is valid for one hour
_SALT = "aos-password-reset"


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


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _fingerprint(secret: str, account: Account) -> str:
    state = f"{account.id}|{account.password_hash}|{account.session_version}"
    return hmac.new(secret.encode(), state.encode(), hashlib.sha256).hexdigest()[:32]


def reset_token(secret: str, account: Account) -> str:
    return _serializer(secret).dumps({"a": account.id, "f": _fingerprint(secret, account)})


def account_for_token(
    session: Session, secret: str, token: str, max_age: int = RESET_MAX_AGE
) -> Account | None:
    """The account the token resets, or None: bad signature, expired, or already used."""
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    account = session.get(Account, data["a"])
    if account is None or not _resettable(account):
        return None
    if not hmac.compare_digest(str(data.get("f", "")), _fingerprint(secret, account)):
        return None
    return account


def _resettable(account: Account) -> bool:
    return account.role == "applicant" and account.active


def _nobody() -> Account:
    """A stand-in account to sign a token for, never stored."""
    return Account(id=0, password_hash="", session_version=1)


def send_reset_link(
    session: Session, ctx: ServiceContext, email: str, ui_language: str | None
) -> None:
    """The reset link to a known applicant, "no account uses this address" to anyone else."""
    account = session.scalars(select(Account).where(Account.email == email)).first()
    settings = ctx.settings
    # The same work for every address (a token signed, one message through the outbox),
    # so neither the answer nor its time tells a known address from an unknown one. An
    # unknown address hears that no account uses it (django-allauth does the same).
    known = account is not None and _resettable(account)
    token = reset_token(settings.secret_key, account if known else _nobody())
    if known:
        kind = "password_reset"
        context = {"reset_url": ctx.absolute("password.reset", token=token)}
    else:
        kind = "password_reset_unknown"
        context = {"register_url": ctx.absolute("registration.home")}
    queue_email(
        session,
        ctx.bridge,
        kind=kind,
        recipient=email,
        language=ui_language or (account.language if account else None) or "hu",
        context=context,
    )


def set_new_password(session: Session, account: Account, new_password: str) -> None:
    """Store the new hash and end every session of the account (the version goes up)."""
    account.password_hash = hash_password(new_password)
    account.session_version = (account.session_version or 1) + 1
    session.add(AuditEntry(actor=account.email, action="password_reset", detail=""))
    session.commit()


def code_ok(session: Session, account: Account, code: str) -> bool:
    """A TOTP code of the account, not used before, while no lock holds it."""
    return totp.locked_until(account) is None and totp.check_code(session, account, code)


def two_step_turned_on(session: Session, account: Account) -> None:
    """Audit the enrolment webapp/auth/enrolment.py has just confirmed; commits."""
    session.add(AuditEntry(actor=account.email, action="portal.totp_enrolled", detail=""))
    session.commit()


def _forget_second_factor(session: Session, account: Account) -> None:
    account.totp_enrolled_at = None
    account.totp_secret = None
    account.totp_last_step = None
    account.totp_failures = 0
    account.totp_failed_at = None
    recovery.forget_codes(session, account)


def turn_off_two_step(session: Session, account: Account) -> None:
    """The owner (password and code just checked) turns two-step login off: the secret and
    the recovery codes are forgotten (audited)."""
    _forget_second_factor(session, account)
    session.add(AuditEntry(actor=account.email, action="portal.totp_removed", detail=""))
    session.commit()


def reset_two_step(session: Session, account: Account, admin_email: str) -> None:
    """An administrator resets a lost authenticator, after checking who asks (SECURITY.md):
    the second factor and its recovery codes are gone, every session of the account ends,
    and the next login is with the password alone (audited with who did it)."""
    _forget_second_factor(session, account)
    account.session_version = (account.session_version or 1) + 1
    session.add(
        AuditEntry(
            actor=admin_email,
            action="account.totp_reset",
            registration_id=account.registration_id,
            detail=account.email,
        )
    )
    session.commit()
