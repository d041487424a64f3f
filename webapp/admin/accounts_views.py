"""Applicant accounts: list, disable (ends its sessions at once), re-enable, reset a lost
authenticator (audited; SECURITY.md says what support checks first)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.models import Account
from webapp.admin import service
from webapp.admin.blueprint import bp
from webapp.admin.detail_views import audit_label
from webapp.admin.forms import ActionForm
from webapp.admin.queue_views import user_type_label
from webapp.auth import service as auth_service
from webapp.database import db
from webapp.sessions import current, role_required

LIMIT = 200


@bp.get("/accounts")
@role_required("support")
def accounts() -> str:
    q = (request.args.get("q") or "").strip()[:200]
    state = request.args.get("state", "")
    found = service.applicant_accounts(db(), q, state, LIMIT)
    return render_template(
        "admin/accounts.html",
        rows=found.rows,
        total=found.total,
        limit=LIMIT,
        q=q,
        state=state,
        changes=found.changes,
        audit_label=audit_label,
        user_type_label=user_type_label,
    )


def _change(account_id: int, enable: bool) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    account = db().get(Account, account_id)
    if account is None or account.role != "applicant":
        abort(404)
    if account.closed_at is not None:
        # Its owner closed it: the console does not reopen it.
        flash(_("This account was closed by its owner; it cannot be re-enabled."), "error")
        return redirect(url_for("admin.accounts", **request.args))
    admin = current("admin")
    assert admin is not None
    if service.set_account_active(db(), admin.email, account, enable):
        if enable:
            message = _("%(email)s can log in again.", email=account.email)
        else:
            message = _("%(email)s is disabled and logged out everywhere.", email=account.email)
        flash(message, "success")
    return redirect(url_for("admin.accounts", **request.args))


@bp.post("/accounts/<int:account_id>/disable")
@role_required("support")
def disable_account(account_id: int) -> Response:
    return _change(account_id, enable=False)


@bp.post("/accounts/<int:account_id>/enable")
@role_required("support")
def enable_account(account_id: int) -> Response:
    return _change(account_id, enable=True)


@bp.post("/accounts/<int:account_id>/two-step-reset")
@role_required("support")
def reset_two_step(account_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    account = db().get(Account, account_id)
    if account is None or account.role != "applicant":
        abort(404)
    admin = current("admin")
    assert admin is not None
    if account.totp_enrolled_at is not None:
        auth_service.reset_two_step(db(), account, admin.email)
        message = _(
            "Two-step login of %(email)s is off and its sessions have ended; the next login "
            "is with the password alone.",
            email=account.email,
        )
        flash(message, "success")
    return redirect(url_for("admin.accounts", **request.args))
