"""Server-side login sessions (ASVS V7): the signed cookie carries only a random id; the
record says whose session it is, since when, and whether it still counts.

A session ends at logout, at "Log out everywhere", when the account's session version is
bumped (password change or reset, account disabled), and by itself after the idle or the
absolute limit of its kind (console: 30 min / 12 h, portal: 2 h / 14 days; settings
CONSOLE_SESSION_IDLE, CONSOLE_SESSION_MAX, PORTAL_SESSION_IDLE, PORTAL_SESSION_MAX).
Only a hash of the id is stored, so a database dump opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import changed_rows
from core.formatting import as_utc
from core.models import LoginSession
from core.models.records import utcnow

# last_seen is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    db: Session,
    *,
    account_id: int,
    role: str,
    version: int,
    mfa: bool,
    ip: str,
    user_agent: str,
) -> str:
    """A new session; returns the id for the cookie. Commits."""
    token = secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            token_hash=token_hash(token),
            account_id=account_id,
            role=role,
            session_version=version,
            mfa=mfa,
            ip=ip[:64],
            user_agent=user_agent[:200],
        )
    )
    db.commit()
    return token


def find(db: Session, token: str, role: str, idle: int, absolute: int) -> LoginSession | None:
    """The live session with this id, touched; None when unknown, ended or past a limit
    (then it is ended for good)."""
    record = db.scalars(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
    ).first()
    if record is None or record.role != role or record.ended_at is not None:
        return None
    now = utcnow()
    too_old = now - as_utc(record.created_at) > timedelta(seconds=absolute)
    idle_for = now - as_utc(record.last_seen_at)
    if too_old or idle_for > timedelta(seconds=idle):
        record.ended_at = now
        db.commit()
        return None
    if idle_for > TOUCH_EVERY:
        record.last_seen_at = now
        db.commit()
    return record


def end(db: Session, token: str) -> None:
    db.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.commit()


def end_all(db: Session, account_id: int) -> int:
    """End every session of the account; how many were live. Commits."""
    ended = changed_rows(
        db,
        update(LoginSession)
        .where(LoginSession.account_id == account_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow()),
    )
    db.commit()
    return ended


def active(db: Session, account_id: int, role: str, version: int, idle: int) -> list[LoginSession]:
    """The account's sessions that still count, newest first (the Account page's list)."""
    since = utcnow() - timedelta(seconds=idle)
    return list(
        db.scalars(
            select(LoginSession)
            .where(
                LoginSession.account_id == account_id,
                LoginSession.role == role,
                LoginSession.session_version == version,
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at > since,
            )
            .order_by(LoginSession.last_seen_at.desc())
        )
    )
