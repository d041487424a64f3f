"""A registration's timeline and the console's label tables, without Flask.

The tables hold msgids (marked with N_) keyed by the contracts' vocabulary (EmailKind, the
Update names) and the audit actions; whoever shows them translates: the detail page with
Flask-Babel's gettext, `flask --app webapp registrations show` with the same under an
English locale. The status words come from the caller too (webapp/status_labels.py), so
this module and the snapshot it reads stay importable by a service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from core.change_groups import change_group_labels, field_labels
from core.formatting import as_utc
from core.models import ChangeRequest, CorrectionAttempt
from webapp.msgid import N_, Translate
from workflows import contracts as c

if TYPE_CHECKING:
    from webapp.admin.snapshot import RegistrationSnapshot

EMAIL_LABELS: dict[str, str] = {
    c.EmailKind.CONFIRMATION: N_("Confirmation email sent"),
    c.EmailKind.ACTIVATED: N_("Activation email sent"),
    c.EmailKind.REJECTED: N_("Rejection email sent"),
    c.EmailKind.EXPIRED: N_("Expiry notice sent"),
    c.EmailKind.VAT_CHECK_FAILED: N_("'VAT check failed' email sent"),
    c.EmailKind.REVIEW_OVERDUE: N_("Overdue review escalation sent"),
    c.EmailKind.REVIEW_REQUESTED: N_("Reviewers notified"),
    c.EmailKind.CONFIRMATION_REMINDER: N_("Confirmation reminder sent"),
    c.EmailKind.VAT_CHECK_DELAYED_MISMATCH: N_("'Company data do not match' email sent"),
    c.EmailKind.CHANGES_REQUESTED: N_("Request for changes emailed"),
    c.EmailKind.CHANGES_REMINDER: N_("Reminder to send the changes sent"),
    c.EmailKind.CHANGES_EXPIRED: N_("'Changes not received' expiry notice sent"),
    c.EmailKind.CORRECTION_RECEIVED: N_("Reviewers notified of the correction"),
}

AUDIT_LABELS: dict[str, str] = {
    "registration.approved": N_("Approved"),
    "registration.rejected": N_("Rejected"),
    "registration.decision_refused": N_("Decision refused (nothing changed)"),
    "registration.changes_requested": N_("Changes asked"),
    "registration.corrected": N_("Corrected by the applicant"),
    # A person's action stored before it is sent (webapp/actions.py, issue 21).
    "registration.confirmation_received": N_("Email confirmation received"),
    "registration.resend_received": N_("Confirmation email asked for again"),
    "registration.answer_received": N_("Reviewer's answer received"),
    "registration.correction_received": N_("Correction received"),
    "account.disabled": N_("Account disabled"),
    "account.enabled": N_("Account re-enabled"),
    "account.closed": N_("Account closed by its owner"),
    "account.totp_reset": N_("Two-step login reset"),
    "admin.login": N_("Console login"),
    "admin.totp_enrolled": N_("Second factor enrolled"),
}

# People's actions (webapp/actions.py), by the Update that delivers them.
ACTION_LABELS: dict[str, str] = {
    c.UPDATE_CONFIRM_EMAIL: N_("Email confirmation"),
    c.UPDATE_RESEND_CONFIRMATION: N_("Confirmation email sent again"),
    c.UPDATE_DECIDE: N_("Decision"),
    c.UPDATE_ASK_FOR_CHANGES: N_("Request for changes"),
    c.UPDATE_SUBMIT_CORRECTION: N_("Correction"),
}

# The company data a VIES answer compares (VatCheckResult.fields[].field).
VIES_FIELD_LABELS: dict[str, str] = {
    "name": N_("Company name"),
    "address": N_("Address"),
    "street": N_("Street and house number"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
}

# The audit entries the rounds of changes tell in the timeline themselves.
ROUND_ACTIONS = ("registration.changes_requested", "registration.corrected")


def email_label(kind: str, _: Translate) -> str:
    label = EMAIL_LABELS.get(kind)
    return _(label) if label else _(N_("Email sent: %(kind)s")) % {"kind": kind}


def audit_label(action: str, _: Translate) -> str:
    label = AUDIT_LABELS.get(action)
    return _(label) if label else action


def action_label(kind: str, _: Translate) -> str:
    label = ACTION_LABELS.get(kind)
    return _(label) if label else kind


def field_label(name: str, _: Translate) -> str:
    """A record field as the registration form labels it ("Postcode", "First name" …)."""
    return field_labels(_).get(name, name)


@dataclass(frozen=True)
class Event:
    at: datetime
    label: str
    detail: str = ""
    kind: str = "step"  # step, email, audit, changes


def refused_fields(attempt: CorrectionAttempt, _: Translate) -> str:
    """The company data VIES did not confirm in a refused correction."""
    result = attempt.vies_result or {}
    if not result.get("valid", True):
        return _(N_("VIES: the VAT number is not valid"))
    differ = [f["field"] for f in result.get("fields", []) if not f["matches"]]
    return ", ".join(_(VIES_FIELD_LABELS[f]) if f in VIES_FIELD_LABELS else f for f in differ)


def round_events(
    rounds: Sequence[ChangeRequest], attempts: Sequence[CorrectionAttempt], _: Translate
) -> list[Event]:
    """Each round of changes: asked (by whom, what, the message), corrected (which fields)
    or expired, and the corrections VIES refused in between."""
    groups = change_group_labels(_)
    events = []
    for r in rounds:
        asked = ", ".join(groups.get(g, g) for g in r.groups)
        label = _(N_("Changes asked (round %(round)d): %(groups)s"))
        events.append(
            Event(
                as_utc(r.requested_at),
                label % {"round": r.round, "groups": asked},
                f"{r.requested_by}: {r.message}",
                "changes",
            )
        )
        if r.corrected_at:
            fields = ", ".join(field_label(name, _) for name in (r.after or {}))
            label = _(N_("Corrected by the applicant (round %(round)d)"))
            events.append(
                Event(as_utc(r.corrected_at), label % {"round": r.round}, fields, "changes")
            )
        if r.expired_at:
            label = _(N_("Request for changes expired unanswered (round %(round)d)"))
            events.append(Event(as_utc(r.expired_at), label % {"round": r.round}, kind="changes"))
    label = _(N_("Correction refused: VIES does not confirm it (round %(round)d)"))
    events += [
        Event(as_utc(a.submitted_at), label % {"round": a.round}, refused_fields(a, _), "changes")
        for a in attempts
        if a.outcome == "vat_mismatch"
    ]
    return events


def timeline(
    snap: RegistrationSnapshot, _: Translate, status_label: Callable[[str], str]
) -> list[Event]:
    """Every step with its time: the snapshot's steps (the workflow's own, else what the
    record knows), the emails the ledger holds, the audit log's entries and each round of
    changes; `_` and `status_label` put them in the reader's words."""
    events: list[Event] = [Event(snap.created_at, _(N_("Registration sent")))]
    # Before the steps: on equal times the (stable) sort keeps the confirmation first.
    if snap.email_confirmed_at:
        events.append(Event(snap.email_confirmed_at, _(N_("Email address confirmed"))))
    events += [Event(step.at, status_label(step.status)) for step in snap.steps]
    events += [
        Event(
            as_utc(m.accepted_at),
            email_label(m.kind, _),
            f"{m.recipient} {m.message_id}",
            kind="email",
        )
        for m in snap.emails
    ]
    rounds = snap.changes.rounds
    events += [
        Event(as_utc(a.at), audit_label(a.action, _), f"{a.actor} {a.detail}".strip(), "audit")
        for a in snap.audit
        if not (rounds and a.action in ROUND_ACTIONS)
    ]
    events += round_events(rounds, snap.changes.attempts, _)
    return sorted(events, key=lambda e: e.at)
