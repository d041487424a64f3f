"""Console login: password, then a TOTP code (enrolled on the first login)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core.local_time import format_local
from core.models import Account
from webapp.admin import service, totp
from webapp.admin.blueprint import bp
from webapp.auth import enrolment
from webapp.auth.login_steps import (
    PageResult,
    code_step,
    next_args,
    password_step,
)
from webapp.database import db
from webapp.forms import CodeForm
from webapp.i18n import current_language
from webapp.sessions import (
    begin_second_factor,
    cancel_second_factor,
    complete_second_factor,
    log_out,
    pending_second_factor,
    safe_next,
)


def _locked_message(until: datetime) -> str:
    return _(
        "Too many wrong codes. You can log in again after %(time)s.",
        time=format_local(until, current_language()),
    )


def _console_account(email: str, password: str) -> Account | None:
    return service.console_account(db(), email, password)


@bp.route("/login", methods=["GET", "POST"])
@password_step("admin/login.html", "console", _console_account)
def login(form: FlaskForm, account: Account) -> PageResult:
    # Said only after a correct password, like every other account state.
    until = totp.locked_until(account)
    if until is not None:
        page = render_template("admin/login.html", form=form, error=_locked_message(until))
        wait = max(1, int((until - datetime.now(UTC)).total_seconds()) + 1)
        return page, 429, {"Retry-After": str(wait)}
    service.fresh_code_series(db(), account)
    begin_second_factor(account)
    step = "admin.code" if account.totp_enrolled_at else "admin.enrol"
    return redirect(url_for(step, **next_args()))


def _pending_or_login() -> Account | Response:
    account = pending_second_factor()
    if account is None:
        flash(_("Please log in again."), "error")
        return redirect(url_for("admin.login", **next_args()))
    return account


def _accept(account: Account, code: str) -> Response | str:
    """Check the code; on success start the console session, else an error to show."""
    if service.code_accepted(db(), account, code):
        complete_second_factor(account)
        return redirect(safe_next(url_for("admin.queue")))
    until = totp.locked_until(account)
    if until is not None:
        cancel_second_factor()
        flash(_locked_message(until), "error")
        return redirect(url_for("admin.login"))
    left = totp.MAX_FAILURES - (account.totp_failures or 0)
    return _("This code is not correct, or it was used already. Tries left: %(left)d.", left=left)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> Response:
    """The first login's authenticator: a fresh secret on every opening of the page, kept
    in this browser's session and stored only with the first right code
    (webapp/auth/enrolment.py)."""
    account = _pending_or_login()
    if isinstance(account, Response):
        return account
    if account.totp_enrolled_at is not None:
        return redirect(url_for("admin.code", **next_args()))
    form = CodeForm()
    shown = enrolment.shown_again("admin", account)
    error = None
    if not form.is_submitted() or shown is None:  # a GET: nothing is stored
        form, shown = CodeForm(formdata=None), enrolment.fresh_secret("admin", account)
    elif form.validate():
        if enrolment.confirm(db(), "admin", account, form.code.data):
            service.enrolled(db(), account)
            complete_second_factor(account)
            return redirect(safe_next(url_for("admin.queue")))
        until = totp.locked_until(account)
        if until is not None:
            cancel_second_factor()
            flash(_locked_message(until), "error")
            return redirect(url_for("admin.login"))
        left = totp.MAX_FAILURES - (account.totp_failures or 0)
        error = _(
            "This code is not correct, or it was used already. Tries left: %(left)d.", left=left
        )
    page = make_response(
        render_template("admin/enrol.html", form=form, error=error, **shown),
        401 if error else (400 if form.errors else 200),
    )
    page.headers["Cache-Control"] = "no-store"  # the page shows the secret
    return page


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> PageResult:
    account = _pending_or_login()
    if isinstance(account, Response):
        return account
    if account.totp_enrolled_at is None:
        return redirect(url_for("admin.enrol", **next_args()))
    return code_step(
        account,
        "admin",
        "admin/code.html",
        CodeForm(),
        partial(_accept, account),
        email=account.email,
    )


@bp.post("/logout")
def logout() -> Response:
    log_out("admin")
    return redirect(url_for("admin.login"))
