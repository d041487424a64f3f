"""The support console (/admin/support): support agents work the requests sent through Help."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from core.formatting import format_deadline
from core.models import OPEN_STATUSES, STATUSES, Account, Registration, SupportRequest
from webapp.auth.session import current, role_required
from webapp.database import db
from webapp.i18n import current_language
from webapp.support import service
from webapp.support.forms import ReplyForm, StatusForm
from webapp.support.topics import STATUS_LABELS, answer_rows, status_label, topic_label

bp = Blueprint("support_console", __name__, url_prefix="/admin/support")

FILTERS = ("open", *STATUSES, "all")


@bp.context_processor
def _console_globals() -> dict[str, Any]:
    return {
        "console_account": current("admin"),
        "topic_label": topic_label,
        "status_label": status_label,
        "answer_rows": answer_rows,
        "when": lambda moment: format_deadline(moment, current_language()),
    }


def _agent() -> Account:
    agent = current("admin")
    assert agent is not None  # role_required ran first
    return agent


def _request(reference: str) -> SupportRequest:
    return service.find(db(), reference) or abort(404)


@bp.get("/")
@role_required("support")
def queue() -> str:
    shown = request.args.get("status", "open")
    if shown not in FILTERS:
        shown = "open"
    query = select(SupportRequest).order_by(SupportRequest.created_at.desc())
    if shown == "open":
        query = query.where(SupportRequest.status.in_(OPEN_STATUSES))
    elif shown != "all":
        query = query.where(SupportRequest.status == shown)
    counts = dict(
        db()
        .execute(
            select(SupportRequest.status, func.count(SupportRequest.id)).group_by(
                SupportRequest.status
            )
        )
        .all()
    )
    return render_template(
        "support/console_queue.html",
        requests=db().scalars(query.limit(200)).all(),
        shown=shown,
        counts=counts,
        filters=FILTERS,
    )


def _status_form(req: SupportRequest) -> StatusForm:
    form = StatusForm(status=req.status)
    form.status.choices = [(s, str(STATUS_LABELS[s])) for s in STATUSES]
    return form


def _related_registrations(req: SupportRequest) -> list[Registration]:
    """Registrations the request may be about: its account's, its VAT number's, its reference."""
    answers = dict((name, value) for name, value in req.answers)
    vat = (answers.get("vat_number") or "").replace(" ", "").upper()
    conditions = []
    if req.account_id:
        account = db().get(Account, req.account_id)
        if account and account.registration_id:
            conditions.append(Registration.id == account.registration_id)
    if len(vat) > 2:
        conditions.append(
            (Registration.country_code == vat[:2]) & (Registration.vat_number == vat[2:])
        )
    if answers.get("registration_reference"):
        conditions.append(Registration.id == answers["registration_reference"].strip())
    if not conditions:
        return []
    return list(
        db()
        .scalars(select(Registration).where(or_(*conditions)).order_by(Registration.created_at))
        .all()
    )


def _detail(req: SupportRequest, reply_form: ReplyForm | None = None) -> str:
    return render_template(
        "support/console_detail.html",
        req=req,
        reply_form=reply_form or ReplyForm(),
        status_form=_status_form(req),
        registrations=_related_registrations(req),
    )


@bp.get("/<reference>")
@role_required("support")
def detail(reference: str) -> str:
    return _detail(_request(reference))


@bp.post("/<reference>/reply")
@role_required("support")
def reply(reference: str) -> str | Response | tuple[str, int]:
    req = _request(reference)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _detail(req, form), 400
    service.reply(db(), req, _agent(), form.body.data.strip())
    flash(_("Reply sent to %(email)s.", email=req.email), "success")
    return redirect(url_for("support_console.detail", reference=req.reference))


@bp.post("/<reference>/status")
@role_required("support")
def change_status(reference: str) -> Response:
    req = _request(reference)
    form = _status_form(req)
    if not form.validate_on_submit():
        abort(400)
    if form.status.data != req.status:
        service.set_status(db(), req, _agent(), form.status.data)
        flash(_("Status changed to %(status)s.", status=status_label(req.status)), "success")
    return redirect(url_for("support_console.detail", reference=req.reference))
