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
Exceeded: the page says so and answers HTTP 429 with a Retry-After header.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_rate_limit_hits_bucket_key_at", "bucket", "key_hash", "at"),)


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
