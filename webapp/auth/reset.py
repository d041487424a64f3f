"""Forgotten password: a link by email, valid one hour, usable once.

The token (made in webapp/auth/service.py) is signed and timestamped (itsdangerous,
max_age one hour) and carries the account id and a fingerprint of its password hash and
session version. Setting the new password changes both, so the link works once, and
bumping the session version ends every session of the account. No table holds the tokens.

The answer is the same page, after the same work, whether or not the address belongs to an
account: an unknown address gets an email saying that no account uses it. Rate limit
(webapp/ratelimit.py): 3 requests per email address and 10 per client IP per
hour, counted for known and unknown addresses alike; beyond that, HTTP 429 and a message.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.auth import service
from webapp.auth.forms import ForgotForm
from webapp.database import db, services
from webapp.forms import NewPasswordForm
from webapp.ratelimit import allow
from webapp.sessions import log_out

PER_ADDRESS_PER_HOUR = 3
PER_IP_PER_HOUR = 10

bp = Blueprint("password", __name__, url_prefix="/password")


def _secret() -> str:
    return current_app.config["SETTINGS"].secret_key


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = ForgotForm()
    if not form.validate_on_submit():
        return render_template("auth/reset_request.html", form=form), (400 if form.errors else 200)
    email = form.email.data.strip().lower()
    ip = request.remote_addr or "unknown"
    checks = [("reset-address", email, PER_ADDRESS_PER_HOUR), ("reset-ip", ip, PER_IP_PER_HOUR)]
    if not allow(db(), _secret(), checks):
        page = render_template("auth/reset_request.html", form=form, too_many=True)
        return page, 429, {"Retry-After": "3600"}
    service.send_reset_link(db(), services(), email, str(get_locale() or "") or None)
    # The same page for every address: it does not tell whether an account exists.
    return render_template("auth/reset_sent.html", email=email)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response | tuple[str, int, dict[str, str]]:
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    session = db()
    account = service.account_for_token(session, _secret(), token)
    if account is None:
        return render_template("auth/reset_invalid.html"), 400, headers
    form = NewPasswordForm()
    if not form.validate_on_submit():
        page = render_template("auth/reset_form.html", form=form)
        return page, (400 if form.errors else 200), headers
    service.set_new_password(session, account, form.new_password.data)  # ends every session
    log_out("applicant")
    flash(_("Your new password is set. Please log in with it."), "success")
    return redirect(url_for("auth.login"))
