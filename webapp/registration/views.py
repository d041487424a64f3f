"""Registration: entry pages, the one-page form, the status page and the confirmation link.
The step-by-step wizard is in wizard.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.formatting import as_utc
from core.models import Registration
from core.passwords import hash_password
from core.tokens import registration_from_confirmation, registration_from_status, status_token
from webapp import actions
from webapp.database import bridge, db
from webapp.i18n import current_language
from webapp.registration import changes_service, changes_views, decoy, service
from webapp.registration.drafts import current_draft, save_step
from webapp.registration.forms import USER_TYPE_EXPLANATIONS, RegistrationForm
from webapp.registration.mismatch import mark_comparison
from webapp.registration.progress import build_progress, pending_reason
from webapp.temporal_bridge import Refused, ResendCooldown, TemporalUnavailable
from workflows import contracts as c

bp = Blueprint("registration", __name__)
# The mismatch partial is shown by the one-page form, the wizard and the correction page.
bp.add_app_template_global(mark_comparison, "vat_marks")


@bp.context_processor
def _user_type_explanations() -> dict[str, Any]:
    return {"user_type_explanations": USER_TYPE_EXPLANATIONS}


bp.add_url_rule(
    "/changes/<token>", "changes", changes_views.changes, methods=["GET", "POST"]
)  # the correction page of "Ask for changes"

# What "start again" carries over (the password excepted).
PREFILL_FIELDS = (
    "user_type country company_name street postcode city vat_number billing_street "
    "billing_postcode billing_city rep_title rep_first_name rep_last_name contact_person "
    "phone email adopted_address"
).split()


def lang() -> str:
    return current_language()


def settings():  # type: ignore[no-untyped-def]
    return current_app.config["SETTINGS"]


def status_url_for(registration_id: str) -> str:
    return url_for(
        "registration.status", token=status_token(settings().secret_key, registration_id)
    )


def _registration_for(token: str, loader) -> Registration:  # type: ignore[no-untyped-def]
    registration_id = loader(settings().secret_key, token)
    reg = db().get(Registration, registration_id) if registration_id else None
    if reg is None or link_expired(reg, settings().link_lifetime_after_end):
        abort(404)
    return reg


def link_expired(reg: Registration, lifetime: int) -> bool:
    """Status and restart links work until `lifetime` seconds after the registration ended
    (30 days by default): a link found in an old mailbox opens nothing."""
    if reg.open_email is not None or reg.status not in c.FINAL_STATUSES:
        return False
    ended = as_utc(reg.decided_at or reg.updated_at)
    return datetime.now(UTC) - ended > timedelta(seconds=lifetime)


def fields_from_form(form: RegistrationForm) -> dict[str, str]:
    differs = form.billing_differs.data
    return {
        "user_type": form.user_type.data,
        "country_code": form.country.data,
        "vat_number": form.normalized_vat,
        "company_name": form.company_name.data,
        "street": form.street.data,
        "postcode": form.postcode.data,
        "city": form.city.data,
        "billing_street": form.billing_street.data if differs else form.street.data,
        "billing_postcode": form.billing_postcode.data if differs else form.postcode.data,
        "billing_city": form.billing_city.data if differs else form.city.data,
        "rep_title": form.rep_title.data or "",
        "rep_first_name": form.rep_first_name.data,
        "rep_last_name": form.rep_last_name.data,
        "contact_person": form.contact_person.data,
        "phone": form.normalized_phone or form.phone.data,
        "email": form.email.data,
    }


@bp.get("/useful-information")
def useful_information() -> str:
    """The partner site's "Hasznos Információk" page with its "Open AOS" button."""
    return render_template("registration/useful_information.html")


@bp.get("/")
def home() -> str:
    return render_template("registration/home.html")


@bp.get("/terms")
def terms() -> str:
    return render_template(f"registration/terms_{lang()}.html")


@bp.route("/register/one-page", methods=["GET", "POST"])
def register() -> str | Response | tuple[str, int]:
    """Everything on one page: the same rules as the wizard, for those who prefer it."""
    form = RegistrationForm(ui_language=lang())
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("registration/form.html", form=form), status
    result = service.submit_registration(
        db(),
        bridge(),
        settings(),
        fields_from_form(form),
        hash_password(form.password.data),
        lang(),
    )
    if result.outcome == "taken":
        return redirect(
            status_url_for(decoy.new_id(checking=result.vat_pending))
        )  # looks like a new registration
    if result.outcome == "mismatch":  # also for a taken address (service.answer_taken)
        vat = result.view.vat_result if result.view else None
        return render_template("registration/form.html", form=form, vat_result=vat), 422
    assert result.registration is not None
    return redirect(status_url_for(result.registration.id))


@bp.get("/status/<token>")
def status(token: str) -> str:
    shown = decoy.progress(
        registration_from_status(settings().secret_key, token) or "",
        settings().confirmation_window,
        lang(),
    )
    if shown is not None:
        return render_template("registration/status.html", reg=None, progress=shown, token=token)
    reg = _registration_for(token, registration_from_status)
    view = None
    try:
        if not reg.workflow_started and reg.open_email:
            service.start_workflow(db(), bridge(), settings(), reg)
        if reg.workflow_started:
            view = bridge().status(reg.id)
    except TemporalUnavailable:
        view = None  # the stored record still says where it stands
    stored = changes_service.stored_changes(db(), reg) if view is None else None
    progress = build_progress(reg, view, lang(), stored=stored)
    progress.changes_url = url_for("registration.changes", token=token)
    if progress.status == c.Status.VERIFYING_VAT:
        try:
            progress.vat_attempts, progress.next_vat_try = bridge().vat_attempts(reg.id)
        except TemporalUnavailable:
            pass
        progress.vat_pending = pending_reason(reg.country_code, progress.vat_attempts)
    received = [a.kind for a in actions.pending(db(), reg.id)]
    return render_template(
        "registration/status.html", reg=reg, progress=progress, token=token, received=received
    )


@bp.post("/status/<token>/resend")
def resend(token: str) -> Response:
    """Send the confirmation email again; it does not extend the 48 hours."""
    registration_id = registration_from_status(settings().secret_key, token) or ""
    try:
        if decoy.created_at(registration_id) is not None:
            wait = decoy.resend_wait(registration_id)
            if wait:
                raise ResendCooldown(wait)
        else:
            reg = _registration_for(token, registration_from_status)
            row = actions.receive(
                db(),
                registration_id=reg.id,
                kind=c.UPDATE_RESEND_CONFIRMATION,
                arg=c.ResendRequest(),
                actor=reg.email,
                audit_action="registration.resend_received",
            )
            actions.deliver(db(), bridge(), row)
    except ResendCooldown as err:
        flash(
            _(
                "We sent the email only a moment ago. You can ask for it again in "
                "%(minutes)s min %(seconds)s s.",
                minutes=err.seconds // 60,
                seconds=err.seconds % 60,
            ),
            "error",
        )
    except Refused:
        flash(_("The confirmation email can no longer be sent for this registration."), "error")
    except TemporalUnavailable:
        flash(
            _(
                "We have received your request. The confirmation email will be sent again "
                "within a minute; you do not need to ask again."
            ),
            "success",
        )
    else:
        flash(
            _("We have sent the confirmation email again. The deadline stays the same."), "success"
        )
    return redirect(url_for("registration.status", token=token))


@bp.get("/restart/<token>")
def restart(token: str) -> Response:
    """Start again with the earlier data filled in (the password excepted)."""
    if decoy.created_at(registration_from_status(settings().secret_key, token) or ""):
        return redirect(url_for("wizard.start"))
    reg = _registration_for(token, registration_from_status)
    if reg.open_email is not None:
        return redirect(url_for("registration.status", token=token))
    draft = current_draft(db(), create=True)
    assert draft is not None
    values = {
        name: getattr(reg, "country_code" if name == "country" else name) for name in PREFILL_FIELDS
    }
    values["billing_differs"] = (reg.billing_street, reg.billing_postcode, reg.billing_city) != (
        reg.street,
        reg.postcode,
        reg.city,
    )
    draft.password_hash = None
    draft.vat_result = reg.vies_result if reg.status == c.Status.VAT_MISMATCH else None
    save_step(db(), draft, 3, values)
    flash(
        _("We filled in the data of your earlier registration. Check them and choose a password.")
    )
    if draft.vat_result:
        return redirect(url_for("wizard.company"))
    return redirect(url_for("wizard.access"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int] | str:
    """GET only shows a button, so mail scanners that open links confirm nothing. The click
    is stored first (webapp/actions.py) and then delivered: if Temporal does not answer, the
    stored click is delivered by the worker's sweep, and the page says so."""
    registration_id = registration_from_confirmation(settings().secret_key, token)
    reg = db().get(Registration, registration_id) if registration_id else None
    if reg is None:
        return render_template("registration/confirm_invalid.html"), 404
    status_url = status_url_for(reg.id)
    if reg.status != c.Status.AWAITING_EMAIL_CONFIRMATION:
        # Also on POST: an ended registration's workflow may be gone from Temporal. The
        # record reaches AWAITING_REVIEW only after the workflow durably has the click.
        return render_template(
            "registration/confirm_refused.html", reg=reg, status_url=status_url
        ), 409
    waiting = actions.pending(db(), reg.id, c.UPDATE_CONFIRM_EMAIL)
    if request.method == "GET":
        if waiting:
            return render_template(
                "registration/confirm_received.html", reg=reg, status_url=status_url
            ), 202
        return render_template("registration/confirm.html", reg=reg, status_url=status_url)
    row = waiting[0] if waiting else None
    if row is None:
        row = actions.receive(
            db(),
            registration_id=reg.id,
            kind=c.UPDATE_CONFIRM_EMAIL,
            arg=c.ConfirmEmailRequest(),
            actor=reg.email,
            audit_action="registration.confirmation_received",
            # One confirmation per registration: a second click is the same Update.
            action_id=f"confirm-{reg.id}",
        )
        if row.applied_at is not None:  # confirmed before; the record follows in a moment
            return render_template("registration/confirmed.html", reg=reg, status_url=status_url)
        if row.refused_at is not None:
            return render_template(
                "registration/confirm_refused.html", reg=reg, status_url=status_url
            ), 409
    try:
        actions.deliver(db(), bridge(), row)
    except Refused:
        db().refresh(reg)
        return render_template(
            "registration/confirm_refused.html", reg=reg, status_url=status_url
        ), 409
    except TemporalUnavailable:
        return render_template(
            "registration/confirm_received.html", reg=reg, status_url=status_url
        ), 202
    return render_template("registration/confirmed.html", reg=reg, status_url=status_url)
