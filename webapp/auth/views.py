"""Applicant login. Before approval, "pending review" is said only after a correct
password; every other failure gets the same generic message."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.auth import service
from webapp.auth.forms import LoginForm
from webapp.auth.login_steps import PageResult, next_args, password_step
from webapp.auth.service import LoginCheck, Outcome
from webapp.database import db
from webapp.sessions import begin_second_factor, log_in, log_out, safe_next

bp = Blueprint("auth", __name__)


def _password_opens(email: str, password: str) -> LoginCheck | None:
    check = service.check_login(db(), email, password)
    return None if check.outcome is Outcome.WRONG else check


@bp.route("/login", methods=["GET", "POST"])
@password_step("auth/login.html", "login", _password_opens)
def login(form: LoginForm, check: LoginCheck) -> PageResult:
    account = check.account
    if check.outcome is Outcome.ACTIVE:
        assert account is not None
        if account.totp_enrolled_at is not None:  # two-step login: the code comes next
            begin_second_factor(account, "applicant")
            return redirect(url_for("two_step.code", **next_args()))
        log_in(account, "applicant")
        return redirect(safe_next(url_for("portal.home")))
    if check.outcome is Outcome.CLOSED:
        message = _("This account has been closed.")
    elif check.outcome is Outcome.DISABLED:
        message = _("This account is disabled. Please contact %(email)s.", email="4thlevel@bmw.hu")
    elif check.outcome is Outcome.PENDING_REVIEW:
        message = _(
            "Your registration is pending review by our administrators. You will get an email "
            "when your account is activated."
        )
    else:
        message = _(
            "Your registration is not finished yet: please confirm your email address with the "
            "link we sent you."
        )
    return render_template("auth/login.html", form=form, notice=message), 403


@bp.post("/logout")
def logout() -> Response:
    log_out("applicant")
    flash(_("You have logged out."))
    return redirect(url_for("registration.home"))
