"""The console's second factor: RFC 6238 TOTP (30 s, 6 digits, SHA-1: what every
authenticator app speaks), a code accepted once, ±1 time step for clock drift, and a
lock after repeated wrong codes."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from time import time

import pyotp
import segno
from sqlalchemy import case, or_, update
from sqlalchemy.orm import Session

from core.formatting import as_utc
from core.models import Account

ISSUER = "AOS Portal"
MAX_FAILURES = 5
LOCK = timedelta(minutes=15)
# ASCII digits only: \d would also take Arabic-Indic and other Unicode digits.
_CODE = re.compile(r"[0-9]{6}", re.ASCII)


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG, rendered here: the secret never goes to a third-party QR service."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#1c2530")


def grouped(secret: str) -> str:
    """The secret in blocks of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (current ±1), or None."""
    code = re.sub(r"[ \t]+", "", code or "")
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    step = int((time() if now is None else now) // totp.interval)
    found = None
    for candidate in (step - 1, step, step + 1):
        # Compare all three, constant-time, so timing does not tell which one matched.
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            found = candidate
    return found


def locked_until(account: Account, now: datetime | None = None) -> datetime | None:
    now = now or datetime.now(UTC)
    if (account.totp_failures or 0) < MAX_FAILURES or account.totp_failed_at is None:
        return None
    until = as_utc(account.totp_failed_at) + LOCK
    return until if until > now else None


def _reserve_try(db: Session, account: Account, now: datetime) -> int | None:
    """Count this try as a failure before checking it, in one atomic UPDATE … RETURNING,
    so parallel requests cannot all pass a stale "failures < 5" check: the database hands
    out at most MAX_FAILURES tries per lock period. A lock that has run out starts a fresh
    series. None: locked."""
    expired = Account.totp_failed_at < now - LOCK
    row = db.execute(
        update(Account)
        .where(
            Account.id == account.id,
            or_(Account.totp_failures < MAX_FAILURES, Account.totp_failed_at.is_(None), expired),
        )
        .values(
            totp_failures=case((expired, 1), else_=Account.totp_failures + 1),
            totp_failed_at=now,
        )
        .returning(Account.totp_failures)
        .execution_options(synchronize_session=False)
    ).first()
    db.commit()
    return None if row is None else int(row[0])


def check_code(db: Session, account: Account, code: str, secret: str | None = None) -> bool:
    """Accept the code once and reset the failure count, or leave it counted as a failure.
    `secret`: the one being enrolled (held in the browser's session until confirmed), else
    the account's own.

    The try is counted first (`_reserve_try`); a right code then clears the count, and the
    last-step update is a single conditional UPDATE, so two requests racing with the same
    code cannot both pass."""
    secret = secret or account.totp_secret
    assert secret
    now = datetime.now(UTC)
    if _reserve_try(db, account, now) is None:
        db.refresh(account)
        return False
    step = matching_step(secret, code)
    accepted = 0
    if step is not None:
        accepted = db.execute(
            update(Account)
            .where(
                Account.id == account.id,
                or_(Account.totp_last_step.is_(None), Account.totp_last_step < step),
            )
            .values(totp_last_step=step, totp_failures=0, totp_failed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.commit()
    db.refresh(account)
    return bool(accepted)


def enrolment(email: str, secret: str) -> dict[str, str]:
    """What an enrolment page shows (console first login, applicant Account page). The
    secret is a fresh one each time the page is opened (webapp/auth/enrolment.py keeps it
    in the signed session) and is stored on the account only once a code confirms it, so
    whoever opened the page before the owner holds a secret that never becomes theirs."""
    uri = provisioning_uri(email, secret)
    return {"secret": grouped(secret), "uri": uri, "qr": qr_svg(uri), "email": email}
