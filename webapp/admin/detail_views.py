"""A registration's detail page and the reviewer's answer: approve, reject or ask for
changes."""

from __future__ import annotations

import secrets
from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.change_groups import change_group_labels
from core.models import Registration
from webapp.admin.blueprint import bp
from webapp.admin.decisions import (
    REJECTION_CODES,
    compose_reason,
    request_changes,
    submit_decision,
)
from webapp.admin.forms import ChangesForm, DecisionForm
from webapp.admin.queue_views import user_type_label
from webapp.admin.snapshot import registration_snapshot
from webapp.admin.timeline import action_label, audit_label, field_label, timeline
from webapp.countries import country_name
from webapp.database import bridge, db
from webapp.i18n import current_language
from webapp.sessions import current, role_required
from webapp.status_labels import status_label
from workflows import contracts as c


def _load(registration_id: str) -> Registration:
    return db().get(Registration, registration_id) or abort(404)


def _detail_page(reg: Registration, changes_form: ChangesForm | None = None) -> str:
    """The page of one snapshot (webapp/admin/snapshot.py), in the reader's words."""
    snap = registration_snapshot(db(), bridge(), reg)
    settings = current_app.config["SETTINGS"]
    groups = change_group_labels(_)
    return render_template(
        "admin/detail.html",
        reg=reg,
        snap=snap,
        events=timeline(snap, _, status_label),
        form=DecisionForm(formdata=None, nonce=secrets.token_hex(8)),
        changes_form=changes_form or ChangesForm(formdata=None, nonce=secrets.token_hex(8)),
        audit_label=partial(audit_label, _=_),
        action_label=partial(action_label, _=_),
        field_label=partial(field_label, _=_),
        group_words=lambda keys: [groups.get(g, g) for g in keys],
        status_label=status_label,
        user_type_label=user_type_label,
        country_name=lambda code: country_name(code, current_language()),
        sla_seconds=settings.review_sla,
        changes_window_seconds=settings.changes_window,
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
