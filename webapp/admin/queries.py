"""Finding registrations: the console queue and `flask registrations list` share this."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from core.formatting import as_utc
from core.models import ChangeRequest, Registration
from workflows import contracts as c

# Pseudo-statuses for the filter: what a reviewer asks for besides a plain status.
OVERDUE = "OVERDUE"
ALL = "ALL"
IN_REVIEW_FILTERS = (c.Status.AWAITING_REVIEW.value, OVERDUE)
STATUSES = ("SUBMITTED", *(s.value for s in c.Status))
LIMIT = 200


@dataclass(frozen=True)
class Filters:
    status: str = c.Status.AWAITING_REVIEW.value
    country: str = ""
    user_type: str = ""
    q: str = ""

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Filters:
        status = (args.get("status") or c.Status.AWAITING_REVIEW.value).upper()
        if status not in (*STATUSES, OVERDUE, ALL):
            status = c.Status.AWAITING_REVIEW.value
        user_type = (args.get("user_type") or "").upper()
        return cls(
            status=status,
            country=(args.get("country") or "").upper()[:2],
            user_type=user_type if user_type in {t.value for t in c.UserType} else "",
            q=(args.get("q") or "").strip()[:200],
        )


def is_overdue(reg: Registration, now: datetime | None = None) -> bool:
    """Past the review due time the workflow recorded, and still undecided."""
    now = now or datetime.now(UTC)
    return (
        reg.status == c.Status.AWAITING_REVIEW
        and reg.status_deadline is not None
        and as_utc(reg.status_deadline) < now
    )


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(q: str):  # type: ignore[no-untyped-def]
    """Company name, VAT number (with or without the country prefix) or email."""
    vat = re.sub(r"[\s.\-]", "", q).upper()
    conditions = [
        Registration.company_name.ilike(like_pattern(q), escape="\\"),
        Registration.email.ilike(like_pattern(q.lower()), escape="\\"),
    ]
    if vat:
        full_vat = Registration.country_code + Registration.vat_number
        conditions.append(full_vat.ilike(like_pattern(vat), escape="\\"))
    return or_(*conditions)


def registration_query(filters: Filters, now: datetime | None = None) -> Select:
    now = now or datetime.now(UTC)
    stmt = select(Registration)
    if filters.status == OVERDUE:
        stmt = stmt.where(
            and_(
                Registration.status == c.Status.AWAITING_REVIEW.value,
                Registration.status_deadline < now,
            )
        )
    elif filters.status != ALL:
        stmt = stmt.where(Registration.status == filters.status)
    if filters.country:
        stmt = stmt.where(Registration.country_code == filters.country)
    if filters.user_type:
        stmt = stmt.where(Registration.user_type == filters.user_type)
    if filters.q:
        stmt = stmt.where(_search(filters.q))
    if filters.status in IN_REVIEW_FILTERS:
        # The queue: whoever has waited longest comes first.
        confirmed = func.coalesce(Registration.email_confirmed_at, Registration.created_at)
        return stmt.order_by(confirmed.asc(), Registration.created_at.asc())
    return stmt.order_by(Registration.created_at.desc())


def find(db: Session, filters: Filters, limit: int = LIMIT) -> tuple[list[Registration], int]:
    """The matching registrations (up to limit) and how many match in all."""
    stmt = registration_query(filters)
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return list(db.scalars(stmt.limit(limit)).all()), total


def review_counts(db: Session, now: datetime | None = None) -> tuple[int, int]:
    """(awaiting review, of which overdue)"""
    now = now or datetime.now(UTC)
    waiting = Registration.status == c.Status.AWAITING_REVIEW.value
    total = db.scalar(select(func.count()).where(waiting)) or 0
    late = db.scalar(select(func.count()).where(waiting, Registration.status_deadline < now)) or 0
    return total, late


def corrected_ids(db: Session, registration_ids: list[str]) -> set[str]:
    """Which of these registrations the applicant has corrected at least once."""
    if not registration_ids:
        return set()
    stmt = select(ChangeRequest.registration_id).where(
        ChangeRequest.registration_id.in_(registration_ids),
        ChangeRequest.corrected_at.is_not(None),
    )
    return set(db.scalars(stmt))
