"""A registration's detail page and the reviewer's decision."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.formatting import as_utc
from core.models import AuditEntry, Registration, SentEmail
from webapp.admin import service
from webapp.admin.blueprint import bp
from webapp.admin.decisions import REJECTION_REASONS, compose_reason, submit_decision
from webapp.admin.forms import DecisionForm
from webapp.admin.queries import is_overdue
from webapp.admin.queue_views import user_type_label
from webapp.auth.session import current, role_required
from webapp.countries import country_name
from webapp.database import bridge, db
from webapp.i18n import current_language
from webapp.registration.progress import status_label
from webapp.temporal_bridge import TemporalUnavailable
from workflows import contracts as c


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
    }
    return labels.get(kind, _("Email sent: %(kind)s", kind=kind))


def audit_label(action: str) -> str:
    labels = {
        "registration.approved": _("Approved"),
        "registration.rejected": _("Rejected"),
        "registration.decision_refused": _("Decision refused (nothing changed)"),
        "account.disabled": _("Account disabled"),
        "account.enabled": _("Account re-enabled"),
        "account.closed": _("Account closed by its owner"),
        "admin.login": _("Console login"),
        "admin.totp_enrolled": _("Second factor enrolled"),
    }
    return labels.get(action, action)


def timeline(
    reg: Registration,
    view: c.StatusView | None,
    emails: list[SentEmail],
    audit: list[AuditEntry],
) -> list[Event]:
    """Every step with its time: the workflow's own steps when Temporal answers (else
    what the record knows), the emails the ledger holds and the audit log's entries."""
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
    ]
    return sorted(events, key=lambda e: e.at)


def _load(registration_id: str) -> Registration:
    return db().get(Registration, registration_id) or abort(404)


@bp.get("/registrations/<registration_id>")
@role_required("reviewer")
def detail(registration_id: str) -> str:
    reg = _load(registration_id)
    emails, audit = service.registration_history(db(), reg.id)
    try:
        view = bridge().status(reg.id) if reg.workflow_started else None
    except TemporalUnavailable:
        view = None
    status = view.status if view else reg.status
    settings = current_app.config["SETTINGS"]
    return render_template(
        "admin/detail.html",
        reg=reg,
        view=view,
        status=status,
        events=timeline(reg, view, emails, audit),
        audit=audit,
        audit_label=audit_label,
        form=DecisionForm(nonce=secrets.token_hex(8)),
        status_label=status_label,
        user_type_label=user_type_label,
        country_name=lambda code: country_name(code, current_language()),
        sla_seconds=settings.review_sla,
        overdue=is_overdue(reg) or bool(view and view.review_overdue),
        # A recorded decision is carried out by the workflow; no second one is offered.
        can_decide=status == c.Status.AWAITING_REVIEW and not (view and view.decided_by),
        decision_in_progress=status == c.Status.AWAITING_REVIEW and bool(view and view.decided_by),
        temporal_link=(
            f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
            f"/workflows/{c.workflow_id_for(reg.id)}"
        ),
    )


@bp.post("/registrations/<registration_id>/decision")
@role_required("reviewer")
def decide(registration_id: str) -> Response:
    reg = _load(registration_id)
    form = DecisionForm()
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("approve", "reject"):
        abort(400)
    back = redirect(url_for("admin.detail", registration_id=reg.id))
    code = form.reason_code.data or ""
    details = form.reason.data or ""
    if code and code not in REJECTION_REASONS:
        abort(400)
    reason = compose_reason(code, details, reg.language) if action == "reject" else ""
    if action == "reject" and not reason:
        flash(_("A rejection needs a reason: pick one or write one."), "error")
        return back
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
    )
    if not outcome.ok:
        current_app.logger.info("Decision on %s by %s: %s", reg.id, admin.id, outcome.outcome)
    flash(outcome.message, "success" if outcome.ok else "error")
    return back
