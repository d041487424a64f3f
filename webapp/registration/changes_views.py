"""The correction page of "Ask for changes" (/changes/<status token>): the administrators'
message, the deadline and only the asked-for fields, prefilled; views.py registers it on the
registration blueprint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from core.change_groups import change_group_labels
from core.formatting import format_deadline, format_remaining
from core.models import ChangeRequest, Registration
from core.tokens import registration_from_status
from webapp.database import bridge, db
from webapp.i18n import current_language
from webapp.registration import changes_service, decoy
from webapp.registration.forms import CorrectionForm, correction_form
from workflows import contracts as c

Page = str | tuple[str, int]


# Fields shown side by side, as on the registration form (a row wraps on a phone).
ROWS = {"address": 1, "billing": 1, "representative": 0}


def _groups(round_: ChangeRequest, form: CorrectionForm) -> list[tuple[str, list[Any], list[Any]]]:
    """(group label, fields one below the other, fields in a row) for each ticked group,
    in the console's order."""
    labels = change_group_labels(_)
    shown = []
    for group, names in c.CHANGE_GROUPS.items():
        if group in round_.groups:
            fields = [form[name] for name in names]
            if group == "representative" and current_language() == "hu":  # family name first
                fields = [form[n] for n in ("rep_title", "rep_last_name", "rep_first_name")]
            split = ROWS.get(group, len(fields))
            shown.append((labels[group], fields[:split], fields[split:]))
    return shown


def _form_page(
    round_: ChangeRequest, form: CorrectionForm, token: str, status: int = 200, **context: Any
) -> Page:
    language = current_language()
    page = render_template(
        "registration/changes.html",
        form=form,
        round=round_,
        groups=_groups(round_, form),
        deadline_text=format_deadline(round_.deadline, language),
        remaining_text=format_remaining(round_.deadline, datetime.now(UTC), language),
        status_url=url_for("registration.status", token=token),
        **context,
    )
    return page, status


def _result_page(state: str, token: str, reg: Registration | None, status: int) -> Page:
    page = render_template(
        "registration/changes_result.html",
        state=state,
        reg=reg,
        status_url=url_for("registration.status", token=token),
    )
    return page, status


def changes(token: str) -> Page:
    """GET: the page, prefilled (after a refused correction: with what was typed then and
    the mismatch). POST: check the fields as the registration form does, store the attempt,
    let the workflow check it; never a 500 for an answer Temporal or VIES gives."""
    secret = current_app.config["SETTINGS"].secret_key
    registration_id = registration_from_status(secret, token)
    if registration_id and decoy.created_at(registration_id) is not None:
        return _result_page("closed", token, None, 409)  # as a new registration's answer
    reg = db().get(Registration, registration_id) if registration_id else None
    if reg is None:
        abort(404)
    round_ = changes_service.open_round(db(), reg)
    if round_ is None:
        return _result_page("closed", token, reg, 409)
    if request.method == "GET":
        refused = changes_service.refused_attempt(db(), reg.id, round_.round)
        data = {name: getattr(reg, name) or "" for name in round_.fields}
        if refused is not None:
            data.update({k: v for k, v in refused.values.items() if k in data})
        form = correction_form(round_.fields, formdata=None, data=data)
        return _form_page(round_, form, token, vat_result=refused.vies_result if refused else None)
    form = correction_form(round_.fields)
    form.country_code = reg.country_code
    if not form.validate():
        return _form_page(round_, form, token, 400)
    sent = changes_service.send_correction(db(), bridge(), reg, round_, form.values, secret)
    if sent.outcome == "mismatch":
        return _form_page(round_, form, token, 422, vat_result=sent.vat_result)
    if sent.outcome == "throttled":
        error = _(
            "You have sent changes many times in a short while. Please wait a little and try again."
        )
        return _form_page(round_, form, token, 429, error=error)
    status = {"accepted": 200, "checking": 202, "received": 202}.get(sent.outcome, 409)
    return _result_page(sent.outcome, token, reg, status)
