"""Every email the registration process sends, rendered in the recipient's language.

Rendering needs the Flask app (templates, translations, URL building) but no request:
the worker calls it from an activity with links built on PUBLIC_BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, render_template, url_for
from flask_babel import force_locale, gettext
from werkzeug.routing import BuildError

from webapp.formatting import format_deadline
from webapp.models import Registration
from webapp.tokens import confirmation_token, status_token
from workflows import contracts as c


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


def _subjects() -> dict[str, str]:
    return {
        c.EmailKind.CONFIRMATION: gettext("Confirm your AOS registration"),
        c.EmailKind.ACTIVATED: gettext("Your AOS account is active"),
        c.EmailKind.REJECTED: gettext("Your AOS registration was not approved"),
        c.EmailKind.EXPIRED: gettext("Your AOS registration has expired"),
        c.EmailKind.VAT_CHECK_FAILED: gettext("We could not check your VAT number"),
        c.EmailKind.REVIEW_OVERDUE: gettext("AOS registration waiting for review too long"),
        c.EmailKind.REVIEW_REQUESTED: gettext("New AOS registration to review"),
        c.EmailKind.CONFIRMATION_REMINDER: gettext(
            "Reminder: please confirm your AOS registration"
        ),
        c.EmailKind.VAT_CHECK_DELAYED_MISMATCH: gettext(
            "Your company data do not match the VAT registration"
        ),
    }


def _first_steps_url() -> str:
    try:
        return url_for("portal.first_steps", _external=True)
    except BuildError:  # the guide's page is not part of this build
        return url_for("portal.home", _external=True)


def render_email(
    app: Flask,
    kind: str,
    registration: Registration,
    *,
    language: str,
    deadline: str | None = None,
    reason: str | None = None,
    vat_check_delayed: bool = False,
) -> RenderedEmail:
    settings = app.config["SETTINGS"]
    with app.test_request_context(base_url=settings.public_base_url), force_locale(language):
        secret = settings.secret_key
        context = {
            "registration": registration,
            "deadline": format_deadline(datetime.fromisoformat(deadline), language)
            if deadline
            else None,
            "reason": reason,
            "vat_check_delayed": vat_check_delayed,
            "vies": registration.vies_result or {},
            "contact_email": settings.contact_email,
            "first_steps_url": _first_steps_url(),
            "confirm_url": url_for(
                "registration.confirm",
                token=confirmation_token(secret, registration.id),
                _external=True,
            ),
            "status_url": url_for(
                "registration.status",
                token=status_token(secret, registration.id),
                _external=True,
            ),
            "restart_url": url_for(
                "registration.restart",
                token=status_token(secret, registration.id),
                _external=True,
            ),
            "login_url": url_for("auth.login", _external=True),
            "admin_url": url_for("admin.detail", registration_id=registration.id, _external=True),
            "home_url": url_for("registration.home", _external=True),
        }
        subject = _subjects()[c.EmailKind(kind)]
        text = render_template(f"email/{kind}.txt", subject=subject, **context)
        html = render_template(f"email/{kind}.html", subject=subject, **context)
    return RenderedEmail(subject=subject, text=text, html=html)


def render_outbox_email(
    app: Flask, kind: str, *, language: str, context: dict[str, object]
) -> RenderedEmail:
    """An outbox email: subject, text and HTML from email/<kind>.subject.txt, .txt, .html."""
    settings = app.config["SETTINGS"]
    with app.test_request_context(base_url=settings.public_base_url), force_locale(language):
        common = {
            "contact_email": settings.contact_email,
            "home_url": url_for("registration.home", _external=True),
            "login_url": url_for("auth.login", _external=True),
            **context,
        }
        subject = " ".join(render_template(f"email/{kind}.subject.txt", **common).split())
        text = render_template(f"email/{kind}.txt", subject=subject, **common)
        html = render_template(f"email/{kind}.html", subject=subject, **common)
    return RenderedEmail(subject=subject, text=text, html=html)
