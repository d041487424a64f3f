"""Forgotten password: a link by email, valid one hour, usable once.

The token is signed and timestamped (itsdangerous, max_age one hour) and carries the
account id and a fingerprint of its password hash and session version. Setting the new
password changes both, so the link works once, and bumping the session version ends
every session of the account. No table holds the tokens.

The answer is the same page, after the same work, whether or not the address belongs to an
account: an unknown address gets an email saying that no account uses it. Rate limit
(webapp/support/ratelimit.py): 3 requests per email address and 10 per client IP per
hour, counted for known and unknown addresses alike; beyond that, HTTP 429 and a message.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from core.models import Account, AuditEntry
from core.passwords import hash_password
from webapp.auth.forms import ForgotForm
from webapp.auth.session import log_out
from webapp.database import bridge, db
from webapp.mailer import queue_email
from webapp.portal.forms import NewPasswordForm
from webapp.support.ratelimit import allow

RESET_MAX_AGE = 3600  # seconds: the link is valid for one hour
PER_ADDRESS_PER_HOUR = 3
PER_IP_PER_HOUR = 10
_SALT = "aos-password-reset"

bp = Blueprint("password", __name__, url_prefix="/password")


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _fingerprint(secret: str, account: Account) -> str:
    state = f"{account.id}|{account.password_hash}|{account.session_version}"
    return hmac.new(secret.encode(), state.encode(), hashlib.sha256).hexdigest()[:32]


def reset_token(secret: str, account: Account) -> str:
    return _serializer(secret).dumps({"a": account.id, "f": _fingerprint(secret, account)})


def account_for_token(
    session: Session, secret: str, token: str, max_age: int = RESET_MAX_AGE
) -> Account | None:
    """The account the token resets, or None: bad signature, expired, or already used."""
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    account = session.get(Account, data["a"])
    if account is None or not _resettable(account):
        return None
    if not hmac.compare_digest(str(data.get("f", "")), _fingerprint(secret, account)):
        return None
    return account


def _resettable(account: Account) -> bool:
    return account.role == "applicant" and account.active


def _nobody() -> Account:
    """A stand-in account to sign a token for, never stored."""
    return Account(id=0, password_hash="", session_version=1)


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
    account = db().scalars(select(Account).where(Account.email == email)).first()
    settings = current_app.config["SETTINGS"]
    # The same work for every address (a token signed, one message through the outbox),
    # so neither the answer nor its time tells a known address from an unknown one. An
    # unknown address hears that no account uses it (django-allauth does the same).
    known = account is not None and _resettable(account)
    token = reset_token(settings.secret_key, account if known else _nobody())
    if known:
        kind, context = (
            "password_reset",
            {"reset_url": settings.public_base_url + url_for("password.reset", token=token)},
        )
    else:
        kind = "password_reset_unknown"
        context = {"register_url": settings.public_base_url + url_for("registration.home")}
    queue_email(
        db(),
        bridge(),
        kind=kind,
        recipient=email,
        language=str(get_locale() or (account.language if account else None) or "hu"),
        context=context,
    )
    # The same page for every address: it does not tell whether an account exists.
    return render_template("auth/reset_sent.html", email=email)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response | tuple[str, int, dict[str, str]]:
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    session = db()
    account = account_for_token(session, _secret(), token)
    if account is None:
        return render_template("auth/reset_invalid.html"), 400, headers
    form = NewPasswordForm()
    if not form.validate_on_submit():
        page = render_template("auth/reset_form.html", form=form)
        return page, (400 if form.errors else 200), headers
    account.password_hash = hash_password(form.new_password.data)
    account.session_version = (account.session_version or 1) + 1  # ends every session
    session.add(AuditEntry(actor=account.email, action="password_reset", detail=""))
    session.commit()
    log_out("applicant")
    flash(_("Your new password is set. Please log in with it."), "success")
    return redirect(url_for("auth.login"))
