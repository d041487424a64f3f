"""The support console (/admin/support): support agents work the requests sent through Help."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.local_time import format_local
from core.models import STATUSES, Account, SupportRequest
from webapp.database import db, services
from webapp.i18n import current_language
from webapp.registration.progress import status_label as registration_status_label
from webapp.sessions import current, role_required
from webapp.support import service
from webapp.support.forms import ReplyForm, StatusForm
from webapp.support.topics import STATUS_LABELS, label_helpers, status_label

bp = Blueprint("support_console", __name__, url_prefix="/admin/support")

FILTERS = ("open", *STATUSES, "all")


@bp.context_processor
def _console_globals() -> dict[str, Any]:
    return {
        "console_account": current("admin"),
        **label_helpers(_),
        "when": lambda moment: format_local(moment, current_language()),
        # A related registration's status in the page's words, never „APPROVED”.
        "registration_status": registration_status_label,
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
    requests, counts = service.console_queue(db(), shown)
    return render_template(
        "support/console_queue.html",
        requests=requests,
        shown=shown,
        counts=counts,
        filters=FILTERS,
    )


def _status_form(req: SupportRequest) -> StatusForm:
    form = StatusForm(status=req.status)
    form.status.choices = [(s, _(STATUS_LABELS[s])) for s in STATUSES]
    return form


def _detail(req: SupportRequest, reply_form: ReplyForm | None = None) -> str:
    return render_template(
        "support/console_detail.html",
        req=req,
        reply_form=reply_form or ReplyForm(),
        status_form=_status_form(req),
        registrations=service.related_registrations(db(), req),
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
    service.reply(db(), services(), req, _agent(), form.body.data.strip())
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
        flash(_("Status changed to %(status)s.", status=status_label(req.status, _)), "success")
    return redirect(url_for("support_console.detail", reference=req.reference))
