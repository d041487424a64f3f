"""A registration's detail page and the reviewer's answer: approve, reject or ask for
changes."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.change_groups import change_group_labels, field_labels
from core.formatting import as_utc
from core.models import (
    Account,
    AuditEntry,
    ChangeRequest,
    CorrectionAttempt,
    Registration,
    SentEmail,
)
from webapp import actions
from webapp.admin import service
from webapp.admin.blueprint import bp
from webapp.admin.decisions import (
    REJECTION_CODES,
    compose_reason,
    request_changes,
    submit_decision,
)
from webapp.admin.forms import ChangesForm, DecisionForm
from webapp.admin.queries import is_overdue
from webapp.admin.queue_views import user_type_label
from webapp.countries import country_name
from webapp.database import bridge, db
from webapp.i18n import current_language
from webapp.msgid import N_
from webapp.registration.progress import status_label
from webapp.sessions import current, role_required
from webapp.temporal_bridge import TemporalUnavailable
from workflows import contracts as c

# The audit entries the rounds of changes tell in the timeline themselves.
ROUND_ACTIONS = ("registration.changes_requested", "registration.corrected")


@dataclass
class Event:
    at: datetime
    label: str
    detail: str = ""
    kind: str = "step"  # step, email, audit


def email_label(kind: str) -> str:
    labels = {
        c.EmailKind.CONFIRMATION: _("Confirmation email sent"),
        c.EmailKind.ACTIVATED: _("Activation email sent"),
        c.EmailKind.REJECTED: _("Rejection email sent"),
        c.EmailKind.EXPIRED: _("Expiry notice sent"),
        c.EmailKind.VAT_CHECK_FAILED: _("'VAT check failed' email sent"),
        c.EmailKind.REVIEW_OVERDUE: _("Overdue review escalation sent"),
        "review_requested": _("Reviewers notified"),
        "confirmation_reminder": _("Confirmation reminder sent"),
        "vat_check_delayed_mismatch": _("'Company data do not match' email sent"),
        c.EmailKind.CHANGES_REQUESTED: _("Request for changes emailed"),
        c.EmailKind.CHANGES_REMINDER: _("Reminder to send the changes sent"),
        c.EmailKind.CHANGES_EXPIRED: _("'Changes not received' expiry notice sent"),
        c.EmailKind.CORRECTION_RECEIVED: _("Reviewers notified of the correction"),
    }
    return labels.get(kind, _("Email sent: %(kind)s", kind=kind))


def audit_label(action: str) -> str:
    labels = {
        "registration.approved": _("Approved"),
        "registration.rejected": _("Rejected"),
        "registration.decision_refused": _("Decision refused (nothing changed)"),
        "registration.changes_requested": _("Changes asked"),
        "registration.corrected": _("Corrected by the applicant"),
        "account.disabled": _("Account disabled"),
        "account.enabled": _("Account re-enabled"),
        "account.closed": _("Account closed by its owner"),
        "account.totp_reset": _("Two-step login reset"),
        "admin.login": _("Console login"),
        "admin.totp_enrolled": _("Second factor enrolled"),
    }
    return labels.get(action, action)


def field_label(name: str) -> str:
    """A record field as the registration form labels it ("Postcode", "First name" …)."""
    return field_labels(_).get(name, name)


def _refused_fields(attempt: CorrectionAttempt) -> str:
    """The company data VIES did not confirm in a refused correction."""
    labels = {
        "name": _("Company name"),
        "address": _("Address"),
        "street": _("Street and house number"),
        "postcode": _("Postcode"),
        "city": _("City"),
    }
    result = attempt.vies_result or {}
    differ = [
        labels.get(f["field"], f["field"]) for f in result.get("fields", []) if not f["matches"]
    ]
    if not result.get("valid", True):
        return _("VIES: the VAT number is not valid")
    return ", ".join(differ)


def round_events(
    rounds: Sequence[ChangeRequest], attempts: Sequence[CorrectionAttempt]
) -> list[Event]:
    """Each round of changes: asked (by whom, what, the message), corrected (which fields)
    or expired, and the corrections VIES refused in between."""
    groups = change_group_labels(_)
    events = []
    for r in rounds:
        asked = ", ".join(groups.get(g, g) for g in r.groups)
        events.append(
            Event(
                as_utc(r.requested_at),
                _("Changes asked (round %(round)d): %(groups)s", round=r.round, groups=asked),
                f"{r.requested_by}: {r.message}",
                "changes",
            )
        )
        if r.corrected_at:
            fields = ", ".join(field_label(name) for name in (r.after or {}))
            events.append(
                Event(
                    as_utc(r.corrected_at),
                    _("Corrected by the applicant (round %(round)d)", round=r.round),
                    fields,
                    "changes",
                )
            )
        if r.expired_at:
            events.append(
                Event(
                    as_utc(r.expired_at),
                    _("Request for changes expired unanswered (round %(round)d)", round=r.round),
                    kind="changes",
                )
            )
    events += [
        Event(
            as_utc(a.submitted_at),
            _("Correction refused: VIES does not confirm it (round %(round)d)", round=a.round),
            _refused_fields(a),
            "changes",
        )
        for a in attempts
        if a.outcome == "vat_mismatch"
    ]
    return events


def timeline(
    reg: Registration,
    view: c.StatusView | None,
    emails: list[SentEmail],
    audit: list[AuditEntry],
    rounds: Sequence[ChangeRequest] = (),
    attempts: Sequence[CorrectionAttempt] = (),
) -> list[Event]:
    """Every step with its time: the workflow's own steps when Temporal answers (else
    what the record knows), the emails the ledger holds, the audit log's entries and each
    round of changes."""
    events: list[Event] = [Event(as_utc(reg.created_at), _("Registration sent"))]
    confirmed = (
        datetime.fromisoformat(view.email_confirmed_at)
        if view is not None and view.email_confirmed_at
        else reg.email_confirmed_at
    )
    # Before the steps: on equal times the (stable) sort keeps the confirmation first.
    if confirmed:
        events.append(Event(as_utc(confirmed), _("Email address confirmed")))
    if view is not None:
        events += [Event(datetime.fromisoformat(s.at), status_label(s.status)) for s in view.steps]
    elif reg.decided_at:
        events.append(Event(as_utc(reg.decided_at), status_label(reg.status)))
    events += [
        Event(as_utc(m.accepted_at), email_label(m.kind), f"{m.recipient} {m.message_id}", "email")
        for m in emails
    ]
    events += [
        Event(as_utc(a.at), audit_label(a.action), f"{a.actor} {a.detail}".strip(), "audit")
        for a in audit
        if not (rounds and a.action in ROUND_ACTIONS)
    ]
    events += round_events(rounds, attempts)
    return sorted(events, key=lambda e: e.at)


@dataclass
class AskedChanges:
    """The round of changes the applicant has now, as the detail page tells it."""

    round: int
    group_words: list[str]
    message: str
    requested_by: str  # the administrator's email
    requested_at: datetime
    deadline: datetime
    refused: int  # corrections VIES did not confirm in this round


def asked_changes(
    history: service.ChangesHistory, view: c.StatusView | None
) -> AskedChanges | None:
    """The open round from the record, else from the workflow (its record not written yet)."""
    words = change_group_labels(_)
    r = history.open_round
    if r is not None:
        asked = AskedChanges(
            r.round,
            [words.get(g, g) for g in r.groups],
            r.message,
            r.requested_by,
            as_utc(r.requested_at),
            as_utc(r.deadline),
            0,
        )
    elif view is not None and view.changes is not None:
        ch = view.changes
        admin = db().get(Account, int(ch.requested_by)) if ch.requested_by.isdigit() else None
        asked = AskedChanges(
            ch.round,
            [words.get(g, g) for g in ch.groups],
            ch.message,
            admin.email if admin else ch.requested_by,
            datetime.fromisoformat(ch.requested_at),
            datetime.fromisoformat(ch.deadline),
            0,
        )
    else:
        return None
    asked.refused = sum(1 for a in history.refused_attempts if a.round == asked.round)
    return asked


ACTION_LABELS = {
    c.UPDATE_CONFIRM_EMAIL: N_("Email confirmation"),
    c.UPDATE_RESEND_CONFIRMATION: N_("Confirmation email sent again"),
    c.UPDATE_DECIDE: N_("Decision"),
    c.UPDATE_ASK_FOR_CHANGES: N_("Request for changes"),
    c.UPDATE_SUBMIT_CORRECTION: N_("Correction"),
}


def action_label(kind: str) -> str:
    return _(ACTION_LABELS.get(kind, kind))


def _load(registration_id: str) -> Registration:
    return db().get(Registration, registration_id) or abort(404)


def _detail_page(reg: Registration, changes_form: ChangesForm | None = None) -> str:
    emails, audit = service.registration_history(db(), reg.id)
    history = service.changes_history(db(), reg.id)
    try:
        view = bridge().status(reg.id) if reg.workflow_started else None
    except TemporalUnavailable:
        view = None
    status = view.status if view else reg.status
    settings = current_app.config["SETTINGS"]
    in_review = status == c.Status.AWAITING_REVIEW
    # A request for changes the workflow has accepted, its round not yet begun: every
    # round before it was corrected (one that expired ended the registration).
    changes_opening = (
        in_review
        and view is not None
        and view.changes is not None
        and view.changes.round > view.corrections
    )
    decided = bool(view and view.decided_by)
    # A reviewer's answer stored but not yet applied (Temporal silent): on its way.
    answers_waiting = [
        a
        for a in actions.pending(db(), reg.id)
        if a.kind in (c.UPDATE_DECIDE, c.UPDATE_ASK_FOR_CHANGES)
    ]
    return render_template(
        "admin/detail.html",
        reg=reg,
        view=view,
        status=status,
        events=timeline(reg, view, emails, audit, history.rounds, history.attempts),
        audit=audit,
        audit_label=audit_label,
        form=DecisionForm(formdata=None, nonce=secrets.token_hex(8)),
        changes_form=changes_form or ChangesForm(formdata=None, nonce=secrets.token_hex(8)),
        history=history,
        asked=asked_changes(history, view) if status == c.Status.CHANGES_REQUESTED else None,
        field_label=field_label,
        status_label=status_label,
        user_type_label=user_type_label,
        country_name=lambda code: country_name(code, current_language()),
        sla_seconds=settings.review_sla,
        changes_window_seconds=settings.changes_window,
        overdue=is_overdue(reg) or bool(view and view.review_overdue),
        # A recorded answer is carried out by the workflow; no second one is offered.
        can_decide=in_review and not decided and not changes_opening and not answers_waiting,
        answers_waiting=answers_waiting,
        actions=actions.recent(db(), reg.id),
        action_label=action_label,
        decision_in_progress=in_review and decided,
        changes_opening=changes_opening,
        temporal_link=(
            f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
            f"/workflows/{c.workflow_id_for(reg.id)}"
        ),
    )


@bp.get("/registrations/<registration_id>")
@role_required("reviewer")
def detail(registration_id: str) -> str:
    return _detail_page(_load(registration_id))


@bp.post("/registrations/<registration_id>/decision")
@role_required("reviewer")
def decide(registration_id: str) -> Response | str:
    reg = _load(registration_id)
    form = DecisionForm()
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("approve", "reject"):
        abort(400)
    back = redirect(url_for("admin.detail", registration_id=reg.id))
    code = form.reason_code.data or ""
    details = form.reason.data or ""
    if code and code not in REJECTION_CODES:
        abort(400)
    reason = compose_reason(code, details, reg.language) if action == "reject" else ""
    if action == "reject" and not reason:
        flash(_("A rejection needs a reason: pick one or write one."), "error")
        return back
    if action == "reject" and form.confirmed.data != "yes":
        return _confirm_rejection(reg, form, reason)
    admin = current("admin")
    assert admin is not None
    outcome = submit_decision(
        db(),
        bridge(),
        reg,
        admin,
        approve=action == "approve",
        reason=reason,
        update_id=f"decision-{reg.id}-{form.nonce.data}",
        _=_,
    )
    if not outcome.ok:
        current_app.logger.info("Decision on %s by %s: %s", reg.id, admin.id, outcome.outcome)
    flash(outcome.message, "success" if outcome.accepted else "error")
    return back


def _confirm_rejection(reg: Registration, form: DecisionForm, reason: str) -> str:
    """The second step of Reject: what the applicant will read, and Reject once more."""
    return render_template(
        "admin/reject_confirm.html",
        reg=reg,
        form=form,
        reason=reason,
        language_word=_("Hungarian") if reg.language == "hu" else _("English"),
    )


@bp.post("/registrations/<registration_id>/changes")
@role_required("reviewer")
def ask_for_changes(registration_id: str) -> Response | tuple[str, int]:
    """Ask the applicant for changes. Bad input is shown on the page again, with what
    was ticked and typed; it never reaches the workflow."""
    reg = _load(registration_id)
    form = ChangesForm()
    if not form.validate_on_submit():
        return _detail_page(reg, form), 400
    admin = current("admin")
    assert admin is not None
    outcome = request_changes(
        db(),
        bridge(),
        reg,
        admin,
        list(form.groups.data or []),
        form.message.data or "",
        update_id=f"changes-{reg.id}-{form.nonce.data}",
        _=_,
    )
    if not outcome.ok:
        current_app.logger.info("Changes on %s by %s: %s", reg.id, admin.id, outcome.outcome)
    flash(outcome.message, "success" if outcome.accepted else "error")
    return redirect(url_for("admin.detail", registration_id=reg.id))


@bp.get("/registrations/<registration_id>/changes")
@role_required("reviewer")
def changes_page(registration_id: str) -> Response:
    """The address of a re-rendered form (the language switch links here): the page."""
    lang = request.args.get("lang")
    return redirect(url_for("admin.detail", registration_id=registration_id, lang=lang))
