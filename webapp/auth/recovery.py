"""Recovery codes for an applicant's two-step login (ASVS 6.5.2-6.5.4): ten codes made when
two-step login is turned on, shown once, stored as SHA-256 hashes, each accepted once
instead of an authenticator code. No Flask here.

A code has 50 bits from `secrets` (ten characters of a 32-letter alphabet without look-alike
letters), far above ASVS's 20, so a plain hash is enough: a slow password hash would only
slow the login down. Using one is a single conditional UPDATE, so two requests racing with
the same code cannot both pass; the try itself goes through the "totp" throttle."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.models import Account, AuditEntry, RecoveryCode
from core.models.records import utcnow

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_SHAPE = re.compile(r"[a-z0-9]{10}")


def _normal(code: str) -> str:
    """As typed, without spaces and dashes, lower case: "ABCDE-FGHJK" = "abcdefghjk"."""
    return re.sub(r"[\s\-]+", "", code or "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def looks_like_one(code: str) -> bool:
    return bool(_SHAPE.fullmatch(_normal(code)))


def make_codes(session: Session, account: Account) -> list[str]:
    """A new set of codes for the account (any earlier ones stop working); the caller shows
    them once. Commits."""
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(COUNT)]
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    session.add_all(RecoveryCode(account_id=account.id, code_hash=_hash(c)) for c in codes)
    session.commit()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def use_code(session: Session, account: Account, code: str) -> bool:
    """Spend one unused code of the account; False when it is not one (or used). Commits."""
    if not looks_like_one(code):
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent:
        session.add(AuditEntry(actor=account.email, action="portal.recovery_code_used", detail=""))
    session.commit()
    return bool(spent)


def remaining(session: Session, account: Account) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def forget_codes(session: Session, account: Account) -> None:
    """Two-step login is off: its recovery codes go with it (the caller commits)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
