"""People's actions through the inbox (core/models/actions.py): stored, then delivered.

A click (confirm, resend, approve, reject, ask for changes, a correction) is a PersonAction
row written in the same transaction as its audit entry, then delivered to the workflow as
the Update whose id is the row's. When Temporal does not answer, the row stays pending: the
worker's sweep delivers it again until the workflow applies or refuses it, so the person is
told "received, applied within a minute", never "try again". A second click finds the
pending row and delivers the same Update again, which Temporal deduplicates.

No Flask here; shared by the applicant's pages, the console and the CLI.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.action_delivery import Refusal, mark, payload_of
from core.models import AuditEntry, PersonAction
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable, refusal


def receive(
    session: Session,
    *,
    registration_id: str,
    kind: str,
    arg: object,
    actor: str,
    audit_action: str,
    audit_detail: str = "",
    action_id: str | None = None,
) -> PersonAction:
    """Store the action and its audit entry in one transaction. An `action_id` already
    stored (the same form sent twice) returns that row, stores nothing more."""
    if action_id is not None:
        existing = session.get(PersonAction, action_id)
        if existing is not None:
            return existing
    row = PersonAction(
        id=action_id or f"{kind}-{uuid.uuid4().hex}",
        registration_id=registration_id,
        kind=kind,
        payload=payload_of(arg),
        actor=actor,
        received_at=datetime.now(UTC),
        attempts=0,
    )
    session.add(row)
    session.add(
        AuditEntry(
            actor=actor, action=audit_action, registration_id=registration_id, detail=audit_detail
        )
    )
    session.commit()
    return row


def deliver(
    session: Session, bridge: TemporalBridge, row: PersonAction, seconds: float | None = None
) -> Any:
    """Deliver the row's Update and keep its outcome on the row: the Update's result, or
    the bridge's refusal raised (AlreadyDecided, ResendCooldown, …) after it is stored.
    TemporalUnavailable (and UpdateNotConfirmed) leave the row pending for the sweep."""
    row.attempts = (row.attempts or 0) + 1
    row.last_attempt_at = datetime.now(UTC)
    try:
        outcome = bridge.deliver_action(
            registration_id=row.registration_id,
            kind=row.kind,
            action_id=row.id,
            payload=row.payload,
            seconds=seconds,
        )
    except TemporalUnavailable as err:
        row.last_error = (str(err) or type(err).__name__)[:2000]
        session.commit()
        raise
    mark(row, outcome, datetime.now(UTC))
    session.commit()
    if isinstance(outcome, Refusal):
        raise refusal(outcome)
    return outcome.result


def pending(session: Session, registration_id: str, kind: str | None = None) -> list[PersonAction]:
    """The registration's actions received but not yet applied or refused, oldest first."""
    query = select(PersonAction).where(
        PersonAction.registration_id == registration_id,
        PersonAction.applied_at.is_(None),
        PersonAction.refused_at.is_(None),
    )
    if kind is not None:
        query = query.where(PersonAction.kind == kind)
    return list(session.scalars(query.order_by(PersonAction.received_at)))


def recent(session: Session, registration_id: str, limit: int = 20) -> list[PersonAction]:
    """The registration's latest actions, newest first (the console shows their outcome)."""
    return list(
        session.scalars(
            select(PersonAction)
            .where(PersonAction.registration_id == registration_id)
            .order_by(PersonAction.received_at.desc())
            .limit(limit)
        )
    )
