"""Help ("Súgó"): the support request questionnaires, open to everyone (a login problem
must be reportable), prefilled for a logged-in applicant, who also sees their own requests."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.formatting import format_deadline
from core.models import Account, SupportRequest
from webapp.database import db, services
from webapp.i18n import current_language
from webapp.portal import catalogue
from webapp.ratelimit import allow
from webapp.sessions import current, login_required
from webapp.support import service
from webapp.support.forms import FORMS, FollowUpForm, SupportForm
from webapp.support.topics import TOPICS, label_helpers

bp = Blueprint("support", __name__, url_prefix="/help")

REQUESTS_PER_IP_PER_HOUR = 5


@bp.context_processor
def _support_globals() -> dict[str, Any]:
    return {
        "topics": TOPICS,
        **label_helpers(_),
        "when": lambda moment: format_deadline(moment, current_language()),
    }


def _prefill(form: SupportForm, account: Account) -> None:
    values = service.prefill_values(db(), account)
    for name, value in values.items():
        if name in form and value:
            form[name].data = value


def _prefill_document(form: SupportForm, account: Account) -> None:
    """From a document's "Question about this document?" link: only one the account may see."""
    entry = catalogue.find(request.args.get("document", ""))
    if entry is not None and "document" in form and catalogue.may_see(account, entry.category):
        form["document"].data = f"{entry.text('title', current_language())} ({entry.id})"
        form["vehicle_category"].data = entry.category


@bp.get("/")
def index() -> str:
    account = current("applicant")
    mine = service.own_requests(db(), account)[:5] if account else []
    return render_template("support/index.html", account=account, mine=mine)


@bp.route("/new/<topic>", methods=["GET", "POST"])
def new(topic: str) -> str | Response | tuple[str, int]:
    if topic not in FORMS:
        abort(404)
    account = current("applicant")
    form = FORMS[topic]()
    if request.method == "GET":
        if account is not None:
            _prefill(form, account)
            _prefill_document(form, account)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("support/form.html", form=form, topic=topic, account=account), status
    if form.website.data:  # the honeypot: answer like a success, keep and send nothing
        current_app.logger.info("Support form honeypot filled; request dropped")
        return render_template("support/sent.html", reference=None)
    settings = current_app.config["SETTINGS"]
    ip = request.remote_addr or "unknown"
    if not allow(db(), settings.secret_key, [("support-ip", ip, REQUESTS_PER_IP_PER_HOUR)]):
        return _too_many()
    req = service.create_request(
        db(),
        topic=topic,
        fields={
            "name": form.name.data.strip(),
            "email": form.email.data.strip().lower(),
            "phone": (form.phone.data or "").strip(),
            "company": (form.company.data or "").strip(),
        },
        answers=form.topic_answers(),
        message=form.message.data.strip(),
        account=account,
        language=current_language(),
    )
    service.notify_new(db(), services(), req)
    session["support_sent"] = req.reference
    return redirect(url_for("support.sent"))


def _too_many() -> tuple[str, int, dict[str, str]]:
    page = render_template("support/too_many.html")
    return page, 429, {"Retry-After": "3600"}


@bp.get("/sent")
def sent() -> str | Response:
    reference = session.get("support_sent")
    if not reference:
        return redirect(url_for("support.index"))
    return render_template("support/sent.html", reference=reference, account=current("applicant"))


def _own_request(reference: str) -> SupportRequest:
    """The logged-in account's request; anyone else's is 'not found', never revealed."""
    account = current("applicant")
    req = service.find(db(), reference)
    if req is None or account is None or req.account_id != account.id:
        abort(404)
    return req


@bp.get("/requests")
@login_required("applicant")
def my_requests() -> str:
    account = current("applicant")
    assert account is not None
    return render_template("support/my_requests.html", requests=service.own_requests(db(), account))


@bp.get("/requests/<reference>")
@login_required("applicant")
def request_detail(reference: str) -> str:
    req = _own_request(reference)
    return render_template("support/request.html", req=req, form=FollowUpForm())


@bp.post("/requests/<reference>/follow-up")
@login_required("applicant")
def follow_up(reference: str) -> str | Response | tuple[str, int]:
    req = _own_request(reference)
    form = FollowUpForm()
    if req.status == "closed":
        flash(_("This request is closed. Please send a new request."), "error")
        return redirect(url_for("support.request_detail", reference=req.reference))
    if not form.validate_on_submit():
        return render_template("support/request.html", req=req, form=form), 400
    service.add_follow_up(db(), services(), req, form.body.data.strip())
    flash(_("Your message has been added to the request."), "success")
    return redirect(url_for("support.request_detail", reference=req.reference))
