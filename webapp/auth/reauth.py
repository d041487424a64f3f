"""Re-authentication inside a session (ASVS 7.5.1, issue 24 findings 1b and 5): a borrowed
session must not become the account. Before turning two-step login on or off, changing the
password, closing the account or downloading the data, the owner types the password again,
and the authenticator code when two-step login is on.

Forms that change something (password change, Close my account, turning two-step off) carry
the password (and code) fields themselves. Pages that show something (Download my data, the
enrolment page with its secret) are behind `/portal/account/confirm`: a right answer there
counts for FRESH_SECONDS (10 minutes), for this login session only (the mark names the
session record).

Every try goes through the "reauth" throttle (webapp/auth/throttle.py), keyed by the
account: after 5 wrong ones the answer is 429 with Retry-After, as on the login."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from time import time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.models import Account
from core.passwords import verify_password
from webapp.auth import service, store, throttle
from webapp.auth.forms import ConfirmIdentityForm
from webapp.auth.login_steps import PageResult
from webapp.database import db
from webapp.sessions import current, is_local_path, login_required, session_token

FRESH_SECONDS = 600  # long enough to set up an authenticator app on the enrolment page
ROLE = "applicant"
_MARK = "reauth"

bp = Blueprint("reauth", __name__)


@dataclass(frozen=True)
class Verdict:
    error: str | None = None  # what to show next to the form; None: it is the owner
    wait: int | None = None  # refused by the throttle: seconds to wait (answer 429)
    field: str = "password"  # the field the error belongs to: "password" or "code"

    @property
    def ok(self) -> bool:
        return self.error is None


def verify(account: Account, password: str, code: str | None) -> Verdict:
    """The account's password (and, with two-step login on, a fresh code), throttled."""
    attempt = throttle.begin("reauth", f"account:{account.id}")
    if attempt.refused:
        assert attempt.wait is not None
        return Verdict(throttle.too_many_message(attempt.wait), attempt.wait)
    if not verify_password(account.password_hash, password or ""):
        return Verdict(_("The password is not correct."))
    if account.totp_enrolled_at is not None and not service.code_ok(db(), account, code or ""):
        wrong = _("The code from the authenticator app is not correct, or it was used already.")
        return Verdict(wrong, field="code")
    attempt.succeeded()
    return Verdict()


def mark_fresh(role: str = ROLE) -> None:
    token = session_token(role)
    if token:
        session[_MARK] = {"s": store.token_hash(token)[:16], "at": int(time())}


def is_fresh(role: str = ROLE) -> bool:
    mark = session.get(_MARK)
    token = session_token(role)
    if not isinstance(mark, dict) or not token:
        return False
    same = mark.get("s") == store.token_hash(token)[:16]
    return same and time() - int(mark.get("at", 0)) <= FRESH_SECONDS


def fresh_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for the owner only: without a recent confirmation, the confirm page first,
    which comes back here."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_fresh():
            return redirect(url_for("reauth.confirm", next=request.path))
        return view(*args, **kwargs)

    return login_required(ROLE)(wrapped)


@bp.route("/portal/account/confirm", methods=["GET", "POST"])
@login_required(ROLE)
def confirm() -> PageResult | Response:
    account = current(ROLE)
    assert account is not None
    form = ConfirmIdentityForm()
    target = request.args.get("next", "")
    target = target if is_local_path(target) else url_for("portal.account")
    context = {"form": form, "two_step": account.totp_enrolled_at is not None}
    if not form.validate_on_submit():
        page = render_template("auth/confirm.html", **context)
        return page, (400 if form.errors else 200)
    verdict = verify(account, form.password.data, form.code.data)
    if verdict.wait is not None:
        page = render_template("auth/confirm.html", error=verdict.error, **context)
        return page, 429, {"Retry-After": str(verdict.wait)}
    if not verdict.ok:
        return render_template("auth/confirm.html", error=verdict.error, **context), 401
    mark_fresh()
    flash(
        _("Thank you. You can go on for the next %(minutes)d minutes.", minutes=FRESH_SECONDS // 60)
    )
    return redirect(target)
