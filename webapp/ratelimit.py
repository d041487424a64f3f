"""A small in-database rate limiter, shared by every web process.

Each accepted action leaves one row (bucket, hashed key, time); an action is refused when
its bucket already holds `limit` rows for the same key within the window. Keys (an IP
address, an email address) are stored only as a keyed hash. Refused actions leave no row,
so a client that keeps trying is admitted again once its oldest accepted action ages out.
Rows older than the window are deleted as the bucket is checked.

The limits in use:
- support requests: 5 per client IP per hour (webapp/support/views.py);
- password-reset emails: 3 per email address and 10 per client IP per hour
  (webapp/auth/reset.py), counted whether or not the address is known.
- failed logins (begin_attempt below, rules in webapp/auth/throttle.py): 5 per account in
  5 minutes, then a growing delay, and 30 per client IP a minute, on the applicant login,
  the console password step and the TOTP step (django-allauth's `login_failed` anchors).
Exceeded: the page says so and answers HTTP 429 with a Retry-After header.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.models import RateLimitHit
from core.models.records import utcnow


def key_hash(secret: str, key: str) -> str:
    return hmac.new(secret.encode(), key.strip().lower().encode(), hashlib.sha256).hexdigest()


def allow(
    session: Session,
    secret: str,
    checks: list[tuple[str, str, int]],
    window: timedelta = timedelta(hours=1),
) -> bool:
    """checks: (bucket, key, limit). True, with one hit recorded per check, when every key is
    under its bucket's limit; False, recording nothing, otherwise. Commits."""
    now = utcnow()
    since = now - window
    hits = []
    for bucket, key, limit in checks:
        session.execute(
            delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.at < since)
        )
        hashed = key_hash(secret, key)
        used = session.scalar(
            select(func.count(RateLimitHit.id)).where(
                RateLimitHit.bucket == bucket, RateLimitHit.key_hash == hashed
            )
        )
        if (used or 0) >= limit:
            session.commit()
            return False
        hits.append(RateLimitHit(bucket=bucket, key_hash=hashed, at=now))
    session.add_all(hits)
    session.commit()
    return True


# --- failed-attempt throttling (logins, second factor) ----------------------------------
HISTORY = timedelta(hours=24)  # how far back a growing delay looks


@dataclass(frozen=True)
class Rule:
    """`limit` attempts per `window` seconds for one key; with `grows`, every further
    series of `limit` failures within a day doubles the window (5 min, 10, 20, … ≤ 21 h)."""

    bucket: str
    limit: int
    window: int
    grows: bool = False


def begin_attempt(
    session: Session, secret: str, checks: list[tuple[Rule, str]]
) -> tuple[list[int], int | None]:
    """Record one attempt per (rule, key), then count. The row is inserted and committed
    before counting, so N parallel requests see at least their own rank and no more than
    `limit` of them get through. Returns (the rows, None) when allowed; ([], seconds to
    wait) when refused, and then the refused attempt leaves nothing behind. Commits."""
    now = utcnow()
    rows = [
        RateLimitHit(bucket=rule.bucket, key_hash=key_hash(secret, key), at=now)
        for rule, key in checks
    ]
    for rule, _key in checks:
        session.execute(
            delete(RateLimitHit).where(
                RateLimitHit.bucket == rule.bucket, RateLimitHit.at < now - HISTORY
            )
        )
    session.add_all(rows)
    session.commit()
    wait = max(
        (_wait(session, rule, row, now) for (rule, _), row in zip(checks, rows, strict=True)),
        default=0,
    )
    if wait:
        forget(session, [row.id for row in rows])
        return [], wait
    return [row.id for row in rows], None


def _wait(session: Session, rule: Rule, row: RateLimitHit, now: datetime) -> int:
    """Seconds until this key is under its limit again; 0 when it is now."""
    same = (RateLimitHit.bucket == rule.bucket, RateLimitHit.key_hash == row.key_hash)
    window = timedelta(seconds=rule.window)
    if rule.grows:
        earlier = session.scalar(
            select(func.count(RateLimitHit.id)).where(*same, RateLimitHit.id < row.id)
        )
        series = max(0, (earlier or 0) - rule.limit) // rule.limit
        window *= 2 ** min(series, 8)
    recent = session.scalars(
        select(RateLimitHit.at)
        .where(*same, RateLimitHit.at > now - window, RateLimitHit.id <= row.id)
        .order_by(RateLimitHit.at.desc())
    ).all()
    if len(recent) <= rule.limit:
        return 0
    # Once the limit-th newest earlier attempt leaves the window, fewer than limit remain.
    frees_at = _as_utc(recent[rule.limit]) + window
    return max(1, int((frees_at - now).total_seconds()) + 1)


def forget(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(delete(RateLimitHit).where(RateLimitHit.id.in_(ids)))
        session.commit()


def reset(session: Session, secret: str, rule: Rule, key: str) -> None:
    """A successful login: the account's failures are forgotten."""
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket == rule.bucket, RateLimitHit.key_hash == key_hash(secret, key)
        )
    )
    session.commit()


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
