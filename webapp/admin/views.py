"""Administrator console: log in, the review queue, a registration's detail, decide."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.admin.forms import DecisionForm
from webapp.auth.forms import LoginForm
from webapp.auth.session import current, log_in, log_out, role_required, safe_next
from webapp.database import bridge, db
from webapp.models import Account, Registration, SentEmail
from webapp.passwords import verify_password
from webapp.registration.progress import status_label
from webapp.temporal_bridge import DecisionRefused, TemporalUnavailable
from workflows import contracts as c

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form), (400 if form.errors else 200)
    email = form.email.data.strip().lower()
    account = db().scalars(select(Account).where(Account.email == email)).first()
    ok = verify_password(account.password_hash if account else None, form.password.data)
    if not ok or account is None or not account.is_admin or not account.active:
        error = _("The email address or the password is not correct.")
        return render_template("admin/login.html", form=form, error=error), 401
    log_in(account, "admin")
    return redirect(safe_next(url_for("admin.queue")))


@bp.post("/logout")
def logout() -> Response:
    log_out("admin")
    return redirect(url_for("admin.login"))


@bp.get("/")
@role_required("reviewer")
def queue() -> str:
    waiting = (
        db()
        .scalars(
            select(Registration)
            .where(Registration.status == c.Status.AWAITING_REVIEW)
            .order_by(Registration.email_confirmed_at, Registration.created_at)
        )
        .all()
    )
    recent = (
        db()
        .scalars(
            select(Registration)
            .where(Registration.status != c.Status.AWAITING_REVIEW)
            .order_by(Registration.created_at.desc())
            .limit(50)
        )
        .all()
    )
    return render_template(
        "admin/queue.html", waiting=waiting, recent=recent, status_label=status_label
    )


@bp.get("/registrations/<registration_id>")
@role_required("reviewer")
def detail(registration_id: str) -> str:
    reg = db().get(Registration, registration_id) or abort(404)
    emails = (
        db()
        .scalars(
            select(SentEmail)
            .where(SentEmail.registration_id == reg.id)
            .order_by(SentEmail.accepted_at)
        )
        .all()
    )
    try:
        view = bridge().status(reg.id) if reg.workflow_started else None
    except TemporalUnavailable:
        view = None
    form = DecisionForm(nonce=secrets.token_hex(8))
    return render_template(
        "admin/detail.html",
        reg=reg,
        view=view,
        emails=emails,
        form=form,
        status_label=status_label,
        can_decide=reg.status == c.Status.AWAITING_REVIEW,
    )


@bp.post("/registrations/<registration_id>/decision")
@role_required("reviewer")
def decide(registration_id: str) -> Response:
    reg = db().get(Registration, registration_id) or abort(404)
    form = DecisionForm()
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("approve", "reject"):
        abort(400)
    reason = (form.reason.data or "").strip()
    if action == "reject" and not reason:
        flash(_("A rejection needs a reason: the applicant receives it."), "error")
        return redirect(url_for("admin.detail", registration_id=reg.id))
    admin = current("admin")
    assert admin is not None
    decision = c.Decision(approve=action == "approve", decided_by=str(admin.id), reason=reason)
    try:
        result = bridge().decide(reg.id, decision, update_id=f"decision-{reg.id}-{form.nonce.data}")
    except DecisionRefused as err:
        current_app.logger.info("Decision on %s refused: %s", reg.id, err)
        flash(_("The decision was not accepted: %(why)s", why=str(err)), "error")
    except TemporalUnavailable:
        flash(_("The workflow service did not answer. Nothing was changed; try again."), "error")
    else:
        flash(_("Decision recorded: %(status)s", status=status_label(result.status)), "success")
    return redirect(url_for("admin.detail", registration_id=reg.id))
