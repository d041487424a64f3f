"""The correction page of "Ask for changes": the round the registration is in, the
applicant's attempt (stored before the workflow hears of it, so the typed values are never
lost) and the workflow's answer, waited for as briefly as "Send Registration" waits."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.formatting import as_utc
from core.models import ChangeRequest, CorrectionAttempt, Registration
from core.models.changes import latest_round
from webapp import actions
from webapp.ratelimit import allow
from webapp.registration.service import VAT_WAIT_SECONDS, VAT_WAITERS
from webapp.temporal_bridge import (
    CorrectionBeingChecked,
    Refused,
    TemporalBridge,
    TemporalUnavailable,
    UpdateNotConfirmed,
)
from workflows import contracts as c

log = logging.getLogger(__name__)

# The company data the workflow checks with VIES, corrected or as they are.
CHECKED_FIELDS = ("company_name", "street", "postcode", "city")
# Without a free waiting slot the correction is handed over and the page does not wait.
NO_SLOT_WAIT_SECONDS = 1.0
# Each sending may ask VIES: a registration's link cannot be used to flood it.
CORRECTIONS_PER_HOUR = 20


def open_round(
    session: Session, reg: Registration, now: datetime | None = None
) -> ChangeRequest | None:
    """The round waiting for the applicant's correction, None when none is (answered,
    expired, decided, or its window is over even if the workflow has not said so yet)."""
    if reg.status != c.Status.CHANGES_REQUESTED:
        return None
    round_ = latest_round(session, reg.id)
    if round_ is None or round_.corrected_at or round_.expired_at:
        return None
    if as_utc(round_.deadline) <= (now or datetime.now(UTC)):
        return None
    return round_


def refused_attempt(
    session: Session, registration_id: str, round_no: int
) -> CorrectionAttempt | None:
    """The round's last decided attempt when VIES refused it (the mismatch to show)."""
    last = session.scalars(
        select(CorrectionAttempt)
        .where(
            CorrectionAttempt.registration_id == registration_id,
            CorrectionAttempt.round == round_no,
            CorrectionAttempt.outcome.is_not(None),
        )
        .order_by(CorrectionAttempt.submitted_at.desc())
    ).first()
    return last if last is not None and last.outcome == "vat_mismatch" else None


@dataclass
class StoredChanges:
    """The open round as the database holds it, for the status page when Temporal is down."""

    round: ChangeRequest
    vat_refused: bool


def stored_changes(session: Session, reg: Registration) -> StoredChanges | None:
    """The open round, or the round that ran out (the registration then expired)."""
    if reg.status not in (c.Status.CHANGES_REQUESTED, c.Status.EXPIRED):
        return None
    round_ = latest_round(session, reg.id)
    if round_ is None:
        return None
    return StoredChanges(round_, refused_attempt(session, reg.id, round_.round) is not None)


@dataclass
class Sent:
    # "accepted": back with the administrators; "mismatch": VIES did not confirm the
    # corrected company data (vat_result), the round stays open; "checking": VIES has not
    # answered yet; "closed": no round is open; "being_checked": an earlier correction is
    # with VIES; "received": Temporal did not answer (the attempt is kept and the worker's
    # sweep delivers it);
    # "throttled": sent too often within the hour, nothing stored.
    outcome: str
    vat_result: c.VatCheckResult | None = None


def send_correction(
    session: Session,
    bridge: TemporalBridge,
    reg: Registration,
    round_: ChangeRequest,
    values: dict[str, str],
    secret: str,
) -> Sent:
    """Store the attempt, hand it to the workflow and wait briefly for its outcome."""
    if not allow(session, secret, [("correction", reg.id, CORRECTIONS_PER_HOUR)]):
        return Sent("throttled")
    values = {name: value for name, value in values.items() if name in round_.fields}
    attempt = CorrectionAttempt(
        id=uuid.uuid4().hex, registration_id=reg.id, round=round_.round, values=values
    )
    session.add(attempt)
    company = {name: values.get(name, getattr(reg, name) or "") for name in CHECKED_FIELDS}
    correction = c.CorrectionSubmitted(round=round_.round, attempt_id=attempt.id, **company)
    # The attempt and the click in one transaction: both kept, or neither.
    row = actions.receive(
        session,
        registration_id=reg.id,
        kind=c.UPDATE_SUBMIT_CORRECTION,
        arg=correction,
        actor=reg.email,
        audit_action="registration.correction_received",
        audit_detail=", ".join(sorted(values)),
        action_id=f"correction-{attempt.id}",
    )
    waiting = VAT_WAITERS.acquire(blocking=False)
    try:
        outcome = actions.deliver(
            session, bridge, row, VAT_WAIT_SECONDS if waiting else NO_SLOT_WAIT_SECONDS
        )
    except Refused as err:
        # Refused by the workflow's validator: it never saw the attempt, nothing changes.
        session.delete(attempt)
        session.commit()
        return Sent("being_checked" if isinstance(err, CorrectionBeingChecked) else "closed")
    except UpdateNotConfirmed:
        return Sent("checking")  # with the workflow; VIES has not answered yet
    except TemporalUnavailable as err:
        log.warning("Temporal unavailable for the correction of %s: %s", reg.id, err)
        return Sent("received")
    finally:
        if waiting:
            VAT_WAITERS.release()
    if outcome.accepted:
        return Sent("accepted", outcome.vat_result)
    return Sent("mismatch", outcome.vat_result)
