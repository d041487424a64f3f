"""Applicant login. Before approval, "pending review" is said only after a correct
password; every other failure gets the same generic message."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.auth import service, throttle
from webapp.auth.forms import LoginForm
from webapp.auth.service import Outcome
from webapp.auth.session import begin_second_factor, log_in, log_out, safe_next
from webapp.database import db

bp = Blueprint("auth", __name__)


def generic_error() -> str:
    return _("The email address or the password is not correct.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (400 if form.errors else 200)
    email = form.email.data.strip().lower()
    attempt = throttle.begin("login", email)
    if attempt.refused:
        assert attempt.wait is not None
        return throttle.refusal("auth/login.html", attempt.wait, form=form)
    check = service.check_login(db(), email, form.password.data)
    if check.outcome is Outcome.WRONG:
        return render_template("auth/login.html", form=form, error=generic_error()), 401
    attempt.succeeded()
    account = check.account
    if check.outcome is Outcome.ACTIVE:
        assert account is not None
        if account.totp_enrolled_at is not None:  # two-step login: the code comes next
            begin_second_factor(account, "applicant")
            target = safe_next("")
            return redirect(url_for("two_step.code", **({"next": target} if target else {})))
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
