"""The portal behind the applicant's login: home, first steps, technical information by
scope, and the account (password change)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from core.formatting import format_deadline
from core.models import Account
from webapp.auth import reauth, recovery
from webapp.database import db
from webapp.i18n import current_language
from webapp.portal import catalogue, service
from webapp.portal.forms import ChangePasswordForm
from webapp.sessions import (
    current,
    current_record,
    log_in,
    log_out_everywhere,
    login_required,
    mark_second_factor_done,
)
from workflows import contracts as c

bp = Blueprint("portal", __name__, url_prefix="/portal")


def _account() -> Account:
    account = current("applicant")
    assert account is not None  # login_required ran first
    return account


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    # A function, so the account is looked up only by pages that show the navigation.
    return {"current_applicant": lambda: current("applicant")}


@bp.context_processor
def _portal_globals() -> dict[str, Any]:
    return {
        "user_type_name": lambda account: c.USER_TYPE_LABELS.get(account.user_type or "", ""),
        "category_labels": catalogue.CATEGORY_LABELS,
        "scope": catalogue.scope,
        "lang": current_language(),
    }


@bp.errorhandler(403)
def _forbidden(error: HTTPException) -> tuple[str, int]:
    return render_template("portal/forbidden.html", account=current("applicant")), 403


@bp.get("/")
@login_required("applicant")
def home() -> str:
    return render_template("portal/home.html", account=_account())


@bp.get("/first-steps")
@login_required("applicant")
def first_steps() -> str:
    template = (
        "portal/first_steps_hu.html" if current_language() == "hu" else "portal/first_steps_en.html"
    )
    return render_template(template, account=_account())


@bp.get("/technical")
@login_required("applicant")
def technical() -> str:
    account = _account()
    groups = [(c, catalogue.visible_entries(account, c)) for c in catalogue.scope(account)]
    return render_template("portal/technical.html", account=account, groups=groups)


@bp.get("/technical/<category>")
@login_required("applicant")
def technical_category(category: str) -> str:
    if category not in catalogue.CATEGORY_LABELS:
        abort(404)
    account = _account()
    if not catalogue.may_see(account, category):
        abort(403)
    groups = [(category, catalogue.visible_entries(account, category))]
    return render_template("portal/technical.html", account=account, groups=groups)


@bp.get("/technical/<category>/<entry_id>")
@login_required("applicant")
def technical_entry(category: str, entry_id: str) -> str:
    entry = catalogue.find(entry_id)
    if entry is None or entry.category != category:
        abort(404)
    account = _account()
    if not catalogue.may_see(account, entry.category):
        abort(403)
    return render_template("portal/entry.html", account=account, entry=entry)


def _account_page(account: Account, form: ChangePasswordForm) -> str:
    this = current_record("applicant")
    sessions = service.active_sessions(db(), current_app.config["SETTINGS"], account)
    return render_template(
        "portal/account.html",
        account=account,
        form=form,
        sessions=sessions,
        recovery_left=recovery.remaining(db(), account),
        fresh=reauth.is_fresh(),
        this_session=this.id if this else None,
        describe_device=describe_device,
        format_time=lambda moment: format_deadline(moment, current_language()),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required("applicant")
def account() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    account = _account()
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(account, form), (400 if form.errors else 200)
    # The current password (and code) through the in-session throttle (webapp/auth/reauth.py).
    verdict = reauth.verify(account, form.current_password.data, form.code.data)
    if verdict.wait is not None:
        form.current_password.errors = [verdict.error]
        return _account_page(account, form), 429, {"Retry-After": str(verdict.wait)}
    if not verdict.ok or not service.change_password(
        db(), account, form.current_password.data, form.new_password.data
    ):
        if verdict.field == "code":
            form.code.errors = [verdict.error]
        else:
            form.current_password.errors = [_("The current password is not correct.")]
        return _account_page(account, form), 400
    # Every other session of the account ended; this one continues with the new version
    # (and, with two-step login on, with the code just checked).
    log_in(account, "applicant")
    if account.totp_enrolled_at is not None:
        mark_second_factor_done("applicant")
    flash(_("Your password has been changed. Your other sessions have been logged out."), "success")
    return redirect(url_for("portal.account"))


@bp.post("/account/logout-everywhere")
@login_required("applicant")
def logout_everywhere() -> Response:
    """Ends every session of the account, this one included (the CSRF token guards it)."""
    log_out_everywhere(_account())
    flash(_("You have been logged out on every device."), "success")
    return redirect(url_for("auth.login"))


def describe_device(user_agent: str) -> str:
    """A few words a person recognises ("Firefox on Windows"), not the raw header."""
    text = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in text), _("Unknown browser") if text else ""
    )
    system = next((name for key, name in _SYSTEMS if key in text), "")
    if not text:
        return _("Unknown device")
    return f"{browser} · {system}" if system else browser


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
