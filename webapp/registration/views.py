"""Registration: the form, "Send Registration", the status page and the confirmation link."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.database import bridge, db
from webapp.mailer import queue_email
from webapp.models import Registration
from webapp.passwords import hash_password
from webapp.registration import service
from webapp.registration.forms import RegistrationForm
from webapp.registration.progress import build_progress
from webapp.temporal_bridge import DecisionRefused, TemporalUnavailable
from webapp.tokens import (
    registration_from_confirmation,
    registration_from_status,
    status_token,
)
from workflows import contracts as c

bp = Blueprint("registration", __name__)

# How long "Send Registration" waits for the VIES answer before showing the status page.
VAT_WAIT_SECONDS = 8.0
PREFILL_FIELDS = (
    "user_type country company_name street postcode city vat_number billing_street "
    "billing_postcode billing_city rep_title rep_first_name rep_last_name contact_person "
    "phone email"
).split()


def _lang() -> str:
    return str(get_locale() or "hu")


def _settings():  # type: ignore[no-untyped-def]
    return current_app.config["SETTINGS"]


def _registration_for(token: str, loader) -> Registration:  # type: ignore[no-untyped-def]
    registration_id = loader(_settings().secret_key, token)
    reg = db().get(Registration, registration_id) if registration_id else None
    if reg is None:
        abort(404)
    return reg


@bp.get("/")
def home() -> str:
    return render_template("registration/home.html")


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    form = RegistrationForm(ui_language=_lang())
    if not form.validate_on_submit():
        return render_template("registration/form.html", form=form), (
            400 if request.method == "POST" else 200
        )

    email = form.email.data.strip().lower()
    session = db()
    if service.address_is_taken(session, email):
        return _already_registered(email)
    reg = Registration(
        id=service.new_registration_id(),
        language=_lang(),
        user_type=form.user_type.data,
        country_code=form.country.data,
        vat_number=form.normalized_vat,
        company_name=form.company_name.data.strip(),
        street=form.street.data.strip(),
        postcode=form.postcode.data.strip(),
        city=form.city.data.strip(),
        billing_street=(form.billing_street.data or form.street.data).strip(),
        billing_postcode=(form.billing_postcode.data or form.postcode.data).strip(),
        billing_city=(form.billing_city.data or form.city.data).strip(),
        rep_title=(form.rep_title.data or "").strip(),
        rep_first_name=form.rep_first_name.data.strip(),
        rep_last_name=form.rep_last_name.data.strip(),
        contact_person=form.contact_person.data.strip(),
        phone=form.phone.data.strip(),
        email=email,
        password_hash=hash_password(form.password.data),
    )
    if not service.store_registration(session, reg):
        return _already_registered(email)

    status_url = url_for("registration.status", token=status_token(_settings().secret_key, reg.id))
    if not service.start_workflow(session, bridge(), _settings(), reg):
        return redirect(status_url)

    view = _wait_for_vat_check(reg.id)
    if view is not None and view.status == c.Status.VAT_MISMATCH:
        return render_template("registration/form.html", form=form, vat_result=view.vat_result), 422
    return redirect(status_url)


def _already_registered(email: str) -> str:
    """Same page as for anyone, so the form does not reveal which addresses are known;
    the address's owner is told by email instead."""
    queue_email(db(), bridge(), kind="already_registered", recipient=email, language=_lang())
    return render_template("registration/check_email.html")


def _wait_for_vat_check(registration_id: str) -> c.StatusView | None:
    """The workflow's view once VIES has answered, or None if it is still trying."""
    deadline = time.monotonic() + VAT_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            view = bridge().status(registration_id)
        except TemporalUnavailable:
            return None
        if view.status != c.Status.VERIFYING_VAT:
            return view
        time.sleep(0.2)
    return None


@bp.get("/status/<token>")
def status(token: str) -> str:
    reg = _registration_for(token, registration_from_status)
    view = None
    try:
        if not reg.workflow_started and reg.open_email:
            service.start_workflow(db(), bridge(), _settings(), reg)
        if reg.workflow_started:
            view = bridge().status(reg.id)
    except TemporalUnavailable:
        view = None  # the stored record still says where it stands
    progress = build_progress(reg, view, _lang())
    if progress.status == c.Status.VERIFYING_VAT:
        try:
            progress.vat_attempts, progress.next_vat_try = bridge().vat_attempts(reg.id)
        except TemporalUnavailable:
            pass
    return render_template("registration/status.html", reg=reg, progress=progress, token=token)


@bp.get("/restart/<token>")
def restart(token: str) -> str | Response:
    """Start again with the earlier data filled in (the password excepted)."""
    reg = _registration_for(token, registration_from_status)
    if reg.open_email is not None:
        return redirect(url_for("registration.status", token=token))
    form = RegistrationForm(
        formdata=None,
        ui_language=_lang(),
        data={
            name: getattr(reg, "country_code" if name == "country" else name)
            for name in PREFILL_FIELDS
        },
    )
    return render_template("registration/form.html", form=form, restarted=True)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int] | str:
    """GET only shows a button, so mail scanners that open links confirm nothing."""
    reg = _registration_for(token, registration_from_confirmation)
    status_url = url_for("registration.status", token=status_token(_settings().secret_key, reg.id))
    if request.method == "GET":
        return render_template("registration/confirm.html", reg=reg, status_url=status_url)
    try:
        bridge().confirm_email(reg.id)
    except DecisionRefused:
        db().refresh(reg)
        return render_template(
            "registration/confirm_refused.html", reg=reg, status_url=status_url
        ), 409
    except TemporalUnavailable:
        message = _(
            "We could not confirm your email address right now. Please try again in a few minutes."
        )
        return render_template(
            "registration/confirm.html", reg=reg, status_url=status_url, error=message
        ), 503
    return render_template("registration/confirmed.html", reg=reg, status_url=status_url)
