"""Applicant accounts: list, disable (ends its sessions at once), re-enable."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from webapp.admin.blueprint import bp
from webapp.admin.decisions import audit
from webapp.admin.detail_views import audit_label
from webapp.admin.forms import ActionForm
from webapp.admin.queries import like_pattern
from webapp.admin.queue_views import user_type_label
from webapp.auth.session import current, role_required
from webapp.database import db
from webapp.models import Account, AuditEntry

LIMIT = 200


@bp.get("/accounts")
@role_required("support")
def accounts() -> str:
    q = (request.args.get("q") or "").strip()[:200]
    state = request.args.get("state", "")
    stmt = select(Account).where(Account.role == "applicant")
    if q:
        stmt = stmt.where(
            or_(
                Account.email.ilike(like_pattern(q.lower()), escape="\\"),
                Account.company_name.ilike(like_pattern(q), escape="\\"),
            )
        )
    if state in ("active", "disabled"):
        stmt = stmt.where(Account.active.is_(state == "active"), Account.closed_at.is_(None))
    elif state == "closed":
        stmt = stmt.where(Account.closed_at.is_not(None))
    total = db().scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db().scalars(stmt.order_by(Account.created_at.desc()).limit(LIMIT)).all()
    changes = db().scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(("account.disabled", "account.enabled", "account.closed")))
        .order_by(AuditEntry.at.desc())
        .limit(20)
    )
    return render_template(
        "admin/accounts.html",
        rows=rows,
        total=total,
        limit=LIMIT,
        q=q,
        state=state,
        changes=list(changes),
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
    if account.active != enable:
        account.active = enable
        if enable:
            account.disabled_at = None
            message = _("%(email)s can log in again.", email=account.email)
        else:
            account.disabled_at = datetime.now(UTC)
            # Every session of the account checks this version: they end now.
            account.session_version = (account.session_version or 1) + 1
            message = _("%(email)s is disabled and logged out everywhere.", email=account.email)
        action = "account.enabled" if enable else "account.disabled"
        audit(db(), admin.email, action, account.email, account.registration_id)
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
