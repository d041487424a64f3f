"""The privacy notice, Download my data and Close my account."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.formatting import format_deadline
from core.models import Account
from webapp.auth import reauth
from webapp.database import bridge, db
from webapp.mailer import queue_email
from webapp.privacy import service
from webapp.privacy.export import personal_data
from webapp.privacy.forms import CloseAccountForm
from webapp.sessions import current, log_out_everywhere, login_required

bp = Blueprint("privacy", __name__)


def _lang() -> str:
    return str(get_locale() or "hu")


@bp.get("/privacy")
def notice() -> str:
    settings = current_app.config["SETTINGS"]
    language = _lang()
    figures = {
        "retention": service.duration(settings.personal_data_retention, language),
        "confirmation_window": service.duration(settings.confirmation_window, language),
    }
    return render_template(f"privacy/notice_{language}.html", figures=figures)


@bp.get("/portal/account/my-data")
@reauth.fresh_login_required
def download() -> Response:
    account = current("applicant")
    assert account is not None
    data = personal_data(db(), account, reviewer=_("an administrator"))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="aos-my-data-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


def close_account(account: Account) -> None:
    """Disable the login and end every session now; the retention purge erases it later.
    The owner gets an email, so a closing they did not do is noticed."""
    service.close_account(db(), account)
    settings = current_app.config["SETTINGS"]
    language = account.language if account.language in ("hu", "en") else "hu"
    queue_email(
        db(),
        bridge(),
        kind="account_closed",
        recipient=account.email,
        language=language,
        context={
            "email": account.email,
            "when": format_deadline(account.closed_at or datetime.now(UTC), language),
            "retention": service.duration(settings.personal_data_retention, language),
        },
    )
    # Ends every session record of the account and this request's own (and commits).
    log_out_everywhere(account)


@bp.route("/portal/account/close", methods=["GET", "POST"])
@login_required("applicant")
def close() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    account = current("applicant")
    assert account is not None
    form = CloseAccountForm()
    settings = current_app.config["SETTINGS"]
    retention = service.duration(settings.personal_data_retention, _lang())
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("privacy/close.html", form=form, retention=retention), status
    verdict = reauth.verify(account, form.password.data, form.code.data)
    if not verdict.ok:
        (form.code if verdict.field == "code" else form.password).errors = [verdict.error]
        page = render_template("privacy/close.html", form=form, retention=retention)
        if verdict.wait is not None:
            return page, 429, {"Retry-After": str(verdict.wait)}
        return page, 400
    close_account(account)
    return redirect(url_for("privacy.closed"))


@bp.get("/account-closed")
def closed() -> str:
    settings = current_app.config["SETTINGS"]
    return render_template(
        "privacy/closed.html", retention=service.duration(settings.personal_data_retention, _lang())
    )
