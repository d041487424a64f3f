"""One registration as the console shows it: the detail page and
`flask --app webapp registrations show` are both built from a RegistrationSnapshot.

Where the workflow and the stored record could disagree (the record is written by the
worker a moment after the workflow moves), the snapshot decides once: the workflow's view
when Temporal answers, else the record. Administrators the workflow knows by account id
are named by their email, as the record does (activities/records.py). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.formatting import as_utc
from core.models import Account, AuditEntry, PersonAction, Registration, SentEmail
from webapp import actions
from webapp.admin.queries import is_overdue
from webapp.admin.service import ChangesHistory, changes_history, registration_history
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable
from workflows import contracts as c


@dataclass(frozen=True)
class StatusStep:
    at: datetime
    status: str


@dataclass(frozen=True)
class AskedChanges:
    """The round of changes the applicant has now, as the detail page tells it."""

    round: int
    groups: list[str]  # contracts.CHANGE_GROUPS keys; change_group_labels words them
    message: str
    requested_by: str  # the administrator's email
    requested_at: datetime
    deadline: datetime
    refused: int  # corrections VIES did not confirm in this round


@dataclass(frozen=True)
class RegistrationSnapshot:
    record: Registration  # what the applicant entered, as stored
    view: c.StatusView | None  # the workflow's answer; None: not started or not answering
    workflow_silent: bool  # started, but Temporal did not answer: the record only
    status: str
    deadline: datetime | None  # the due time of the current status
    email_confirmed_at: datetime | None
    decided_by: str | None  # the administrator's email, once a decision is recorded
    decided_at: datetime | None  # once the record has the decision
    rejection_reason: str | None
    steps: list[StatusStep]  # the workflow's steps, else the record's decision
    vies: dict[str, Any] | None  # the VIES answer the record keeps, compared field by field
    overdue: bool
    changes: ChangesHistory
    asked: AskedChanges | None  # the open round, while the status is CHANGES_REQUESTED
    # A request for changes the workflow has accepted, its round not yet begun.
    changes_opening: bool
    emails: list[SentEmail]  # oldest first
    audit: list[AuditEntry]  # oldest first
    actions: list[PersonAction]  # newest first
    # A reviewer's answer stored but not yet applied (Temporal silent): on its way.
    answers_waiting: list[PersonAction]
    # A decision the workflow recorded, its account update and email still running.
    decision_in_progress: bool
    # Approve, reject or ask for changes may be offered: in review, nobody answered yet.
    can_decide: bool

    @property
    def created_at(self) -> datetime:
        return as_utc(self.record.created_at)


def admin_email(session: Session, who: str | None) -> str | None:
    """The workflow knows an administrator by account id; the console names the email."""
    if not who or not who.isdigit():
        return who
    admin = session.get(Account, int(who))
    return admin.email if admin else who


def _utc(moment: datetime | str | None) -> datetime | None:
    if moment is None or moment == "":
        return None
    return as_utc(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)


def _asked(
    session: Session, history: ChangesHistory, view: c.StatusView | None
) -> AskedChanges | None:
    """The open round from the record, else from the workflow (its record not written yet)."""
    r = history.open_round
    if r is not None:
        number, groups, message, by = r.round, list(r.groups), r.message, r.requested_by
        at, deadline = as_utc(r.requested_at), as_utc(r.deadline)
    elif view is not None and view.changes is not None:
        ch = view.changes
        number, groups, message = ch.round, list(ch.groups), ch.message
        by = admin_email(session, ch.requested_by) or ""
        at, deadline = (
            as_utc(datetime.fromisoformat(ch.requested_at)),
            as_utc(datetime.fromisoformat(ch.deadline)),
        )
    else:
        return None
    refused = sum(1 for a in history.refused_attempts if a.round == number)
    return AskedChanges(number, groups, message, by, at, deadline, refused)


def workflow_view(bridge: TemporalBridge, reg: Registration) -> c.StatusView | None:
    """The workflow's status Query; None when it was never started or does not answer."""
    if not reg.workflow_started:
        return None
    try:
        return bridge.status(reg.id)
    except TemporalUnavailable:
        return None


def registration_snapshot(
    session: Session, bridge: TemporalBridge, reg: Registration
) -> RegistrationSnapshot:
    """Everything the console shows of one registration, the workflow asked once."""
    view = workflow_view(bridge, reg)
    emails, audit = registration_history(session, reg.id)
    history = changes_history(session, reg.id)
    if view is not None:
        status, deadline = view.status, _utc(view.deadline)
        confirmed = _utc(view.email_confirmed_at)
        decided_by = admin_email(session, view.decided_by) or reg.decided_by
        reason = view.rejection_reason or reg.rejection_reason
        steps = [StatusStep(as_utc(datetime.fromisoformat(s.at)), s.status) for s in view.steps]
    else:
        status, deadline = reg.status, _utc(reg.status_deadline)
        confirmed = _utc(reg.email_confirmed_at)
        decided_by, reason = reg.decided_by, reg.rejection_reason
        steps = [StatusStep(as_utc(reg.decided_at), reg.status)] if reg.decided_at else []
    in_review = status == c.Status.AWAITING_REVIEW
    # Every round before an accepted request was corrected (one that expired ended the
    # registration), so a request ahead of the corrections has not begun its round yet.
    changes_opening = (
        in_review
        and view is not None
        and view.changes is not None
        and view.changes.round > view.corrections
    )
    decided = bool(view and view.decided_by)
    answers_waiting = [
        a
        for a in actions.pending(session, reg.id)
        if a.kind in (c.UPDATE_DECIDE, c.UPDATE_ASK_FOR_CHANGES)
    ]
    return RegistrationSnapshot(
        record=reg,
        view=view,
        workflow_silent=view is None and bool(reg.workflow_started),
        status=status,
        deadline=deadline,
        email_confirmed_at=confirmed,
        decided_by=decided_by,
        decided_at=_utc(reg.decided_at),
        rejection_reason=reason,
        steps=steps,
        vies=reg.vies_result,
        overdue=is_overdue(reg) or bool(view and view.review_overdue),
        changes=history,
        asked=_asked(session, history, view) if status == c.Status.CHANGES_REQUESTED else None,
        changes_opening=changes_opening,
        emails=emails,
        audit=audit,
        actions=actions.recent(session, reg.id),
        answers_waiting=answers_waiting,
        decision_in_progress=in_review and decided,
        # A recorded answer is carried out by the workflow; no second one is offered.
        can_decide=in_review and not decided and not changes_opening and not answers_waiting,
    )
