"""Two-step login for applicants (ASVS V6.6): turned on from the Account page with the
console's own enrolment (webapp/admin/totp.py, templates/_totp_setup.html), then every
login asks for the authenticator's code after the password. The same rules as the
console: 6 ASCII digits, each accepted once, 5 wrong codes lock the code entry, and the
throttle of webapp/auth/throttle.py.

Turning it on or off needs the password again (and, to turn it off, a code): a borrowed
session cannot lock the owner out (webapp/auth/reauth.py). The enrolment secret is fresh on
each opening of the page and stored only when confirmed (webapp/auth/enrolment.py). Turning
it on shows ten recovery codes once (webapp/auth/recovery.py); one of them replaces a code
at login when the phone is lost."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.models import Account
from webapp.admin import totp
from webapp.auth import enrolment, reauth, recovery, service
from webapp.auth.forms import ConfirmIdentityForm, RecoveryCodeForm
from webapp.auth.login_steps import PageResult, code_step
from webapp.database import db
from webapp.forms import CodeForm
from webapp.sessions import (
    cancel_second_factor,
    complete_second_factor,
    current,
    login_required,
    mark_second_factor_done,
    pending_second_factor,
    safe_next,
)

bp = Blueprint("two_step", __name__)
ROLE = "applicant"
_NO_STORE = {"Cache-Control": "no-store"}


def _wrong_code(account: Account) -> str:
    left = max(0, totp.MAX_FAILURES - (account.totp_failures or 0))
    return _("This code is not correct, or it was used already. Tries left: %(left)d.", left=left)


def _pending() -> Account | None:
    account = pending_second_factor(ROLE)
    if account is None or account.totp_enrolled_at is None:
        flash(_("Please log in again."), "error")
        return None
    return account


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> PageResult:
    """The second step of an applicant login with two-step login turned on."""
    account = _pending()
    if account is None:
        return redirect(url_for("auth.login"))
    return code_step(account, ROLE, "auth/code.html", CodeForm(), partial(_accept, account))


@bp.route("/login/recovery", methods=["GET", "POST"])
def recovery_code() -> PageResult:
    """The second step with a recovery code instead (the phone is lost)."""
    account = _pending()
    if account is None:
        return redirect(url_for("auth.login"))
    form = RecoveryCodeForm()
    return code_step(account, ROLE, "auth/recovery.html", form, partial(_recover, account))


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


def _recover(account: Account, code: str) -> Response | str:
    if recovery.use_code(db(), account, code):
        complete_second_factor(account, ROLE)
        left = recovery.remaining(db(), account)
        flash(_("You used a recovery code. Codes left: %(left)d.", left=left), "warning")
        return redirect(url_for("portal.account"))
    return _("This recovery code is not correct, or it was used already.")


def _codes_page(codes: list[str]) -> tuple[str, int, dict[str, str]]:
    return render_template("portal/recovery_codes.html", codes=codes), 200, _NO_STORE


@bp.route("/portal/account/two-step", methods=["GET", "POST"])
@reauth.fresh_login_required
def enrol() -> PageResult:
    account = current(ROLE)
    assert account is not None
    if account.totp_enrolled_at is not None:
        return redirect(url_for("portal.account"))
    form = CodeForm()
    shown = enrolment.shown_again(ROLE, account)
    if not form.is_submitted() or shown is None:  # a GET: a fresh secret, nothing stored
        page = render_template(
            "portal/two_step.html",
            form=CodeForm(formdata=None),
            **enrolment.fresh_secret(ROLE, account),
        )
        return page, 200, _NO_STORE
    error = None
    if form.validate():
        if enrolment.confirm(db(), ROLE, account, form.code.data):
            service.two_step_turned_on(db(), account)
            mark_second_factor_done(ROLE)  # this session has just shown a code
            flash(_("Two-step login is on. Every login now asks for a code."), "success")
            return _codes_page(recovery.make_codes(db(), account))
        error = _wrong_code(account)
    page = render_template("portal/two_step.html", form=form, error=error, **shown)
    return page, (401 if error else 400), _NO_STORE


def _confirmed(account: Account) -> reauth.Verdict:
    form = ConfirmIdentityForm()
    if not form.validate_on_submit():
        return reauth.Verdict(_("Please type your password and a code from the app."))
    return reauth.verify(account, form.password.data, form.code.data)


def _refused(verdict: reauth.Verdict) -> tuple[str, int, dict[str, str]]:
    """Too many wrong passwords inside the session: 429, as on the login."""
    page = render_template(
        "auth/confirm.html",
        form=ConfirmIdentityForm(formdata=None),
        two_step=True,
        error=verdict.error,
    )
    return page, 429, {"Retry-After": str(verdict.wait)}


@bp.post("/portal/account/two-step/off")
@login_required(ROLE)
def turn_off() -> PageResult:
    """Needs the password and a current code, so a borrowed session cannot remove it."""
    account = current(ROLE)
    assert account is not None
    if account.totp_enrolled_at is None:
        return redirect(url_for("portal.account"))
    verdict = _confirmed(account)
    if verdict.wait is not None:
        return _refused(verdict)
    if verdict.ok:
        service.turn_off_two_step(db(), account)
        flash(_("Two-step login is off."), "success")
    else:
        flash(verdict.error or "", "error")
    return redirect(url_for("portal.account"))


@bp.post("/portal/account/two-step/codes")
@login_required(ROLE)
def new_codes() -> PageResult:
    """A new set of recovery codes (the old ones stop working), after the password and code."""
    account = current(ROLE)
    assert account is not None
    if account.totp_enrolled_at is None:
        return redirect(url_for("portal.account"))
    verdict = _confirmed(account)
    if verdict.wait is not None:
        return _refused(verdict)
    if not verdict.ok:
        flash(verdict.error or "", "error")
        return redirect(url_for("portal.account"))
    return _codes_page(recovery.make_codes(db(), account))
