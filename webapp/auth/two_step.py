"""Two-step login for applicants (ASVS V6.6): turned on from the Account page with the
console's own enrolment (webapp/admin/totp.py, templates/_totp_setup.html), then every
login asks for the authenticator's code after the password. The same rules as the
console: 6 ASCII digits, each accepted once, 5 wrong codes lock the code entry, and the
throttle of webapp/auth/throttle.py."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.models import Account
from webapp.admin import totp
from webapp.auth import service
from webapp.auth.login_steps import PageResult, code_step
from webapp.auth.session import (
    cancel_second_factor,
    complete_second_factor,
    current,
    login_required,
    mark_second_factor_done,
    pending_second_factor,
    safe_next,
)
from webapp.database import db
from webapp.forms import CodeForm

bp = Blueprint("two_step", __name__)
ROLE = "applicant"


def _wrong_code(account: Account) -> str:
    left = max(0, totp.MAX_FAILURES - (account.totp_failures or 0))
    return _("This code is not correct, or it was used already. Tries left: %(left)d.", left=left)


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> PageResult:
    """The second step of an applicant login with two-step login turned on."""
    account = pending_second_factor(ROLE)
    if account is None or account.totp_enrolled_at is None:
        flash(_("Please log in again."), "error")
        return redirect(url_for("auth.login"))
    return code_step(account, ROLE, "auth/code.html", CodeForm(), partial(_accept, account))


def _accept(account: Account, code: str) -> Response | str:
    """Check the code; on success start the applicant's session, else an error to show."""
    if service.code_ok(db(), account, code):
        complete_second_factor(account, ROLE)
        return redirect(safe_next(url_for("portal.home")))
    if totp.locked_until(account) is not None:
        cancel_second_factor(ROLE)
        flash(_("Too many wrong codes. Please log in again later."), "error")
        return redirect(url_for("auth.login"))
    return _wrong_code(account)


@bp.route("/portal/account/two-step", methods=["GET", "POST"])
@login_required(ROLE)
def enrol() -> PageResult:
    account = current(ROLE)
    assert account is not None
    if account.totp_enrolled_at is not None:
        return redirect(url_for("portal.account"))
    shown = totp.enrolment(db(), account)
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if service.turn_on_two_step(db(), account, form.code.data):
            mark_second_factor_done(ROLE)  # this session has just shown a code
            flash(_("Two-step login is on. Every login now asks for a code."), "success")
            return redirect(url_for("portal.account"))
        error = _wrong_code(account)
    page = render_template("portal/two_step.html", form=form, error=error, **shown)
    return page, (401 if error else 200), {"Cache-Control": "no-store"}


@bp.post("/portal/account/two-step/off")
@login_required(ROLE)
def turn_off() -> PageResult:
    """Needs a current code, so a borrowed session cannot remove the second factor."""
    account = current(ROLE)
    assert account is not None
    form = CodeForm()
    if account.totp_enrolled_at is None:
        return redirect(url_for("portal.account"))
    if form.validate_on_submit() and service.turn_off_two_step(db(), account, form.code.data):
        flash(_("Two-step login is off."), "success")
    else:
        flash(_wrong_code(account), "error")
    return redirect(url_for("portal.account"))
