"""Every email the portal sends, rendered in the recipient's language.

Plain Jinja2 with the Babel catalogs: no Flask app, no request. Links are built on
PUBLIC_BASE_URL (core/links.py), so the worker renders the same email the web app would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from core import links
from core.articles import a_az
from core.change_groups import change_group_labels
from core.config import Settings
from core.formatting import format_deadline
from core.models import ChangeRequest, Registration
from core.tokens import confirmation_token, status_token
from workflows import contracts as c

TEMPLATES = Path(__file__).parent / "templates"
# One catalog for the pages and the emails; it lives with the web app's translations.
TRANSLATIONS = Path(__file__).parent.parent / "webapp" / "translations"


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def translations(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


@cache
def _environment(language: str) -> Environment:
    # One environment per language: activities render from several threads at once.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_lang"] = language
    # „A Kovács Kft. …”: Hungarian puts the article the name needs in front (a/az); English
    # leaves the name alone.
    env.filters["the"] = lambda word, capital=False: (
        a_az(word, capital=capital) if language == "hu" else word
    )
    return env


def _render(language: str, name: str, context: dict[str, Any]) -> str:
    return _environment(language).get_template(name).render(**context)


def _subject(kind: str, language: str) -> str:
    _ = translations(language).gettext
    subjects = {
        c.EmailKind.CONFIRMATION: _("Confirm your AOS registration"),
        c.EmailKind.ACTIVATED: _("Your AOS account is active"),
        c.EmailKind.REJECTED: _("Your AOS registration was not approved"),
        c.EmailKind.EXPIRED: _("Your AOS registration has expired"),
        c.EmailKind.VAT_CHECK_FAILED: _("We could not check your VAT number"),
        c.EmailKind.REVIEW_OVERDUE: _("AOS registration waiting for review too long"),
        c.EmailKind.REVIEW_REQUESTED: _("New AOS registration to review"),
        c.EmailKind.CONFIRMATION_REMINDER: _("Reminder: please confirm your AOS registration"),
        c.EmailKind.VAT_CHECK_DELAYED_MISMATCH: _(
            "Your company data do not match the VAT registration"
        ),
        c.EmailKind.CHANGES_REQUESTED: _("Please change your AOS registration"),
        c.EmailKind.CHANGES_REMINDER: _("Reminder: please change your AOS registration"),
        c.EmailKind.CHANGES_EXPIRED: _("Your AOS registration has expired"),
        c.EmailKind.CORRECTION_RECEIVED: _("Corrected AOS registration to review"),
    }
    return subjects[c.EmailKind(kind)]


def render_email(
    settings: Settings,
    kind: str,
    registration: Registration,
    *,
    language: str,
    deadline: str | None = None,
    reason: str | None = None,
    vat_check_delayed: bool = False,
    changes: ChangeRequest | None = None,
) -> RenderedEmail:
    """A registration workflow's email to the applicant or the reviewers; `changes` is
    the round of "Ask for changes" the email is about, if any."""
    base, secret = settings.public_base_url, settings.secret_key
    status = status_token(secret, registration.id)
    labels = change_group_labels(translations(language).gettext)
    context = {
        "changes": {
            "message": changes.message,
            "group_labels": [labels.get(g, g) for g in changes.groups],
        }
        if changes is not None
        else None,
        "changes_url": links.link(base, links.CHANGES, token=status),
        "registration": registration,
        "deadline": format_deadline(datetime.fromisoformat(deadline), language)
        if deadline
        else None,
        "reason": reason,
        "vat_check_delayed": vat_check_delayed,
        "vies": registration.vies_result or {},
        "contact_email": settings.contact_email,
        "support_email": settings.support_email,
        "first_steps_url": links.link(base, links.FIRST_STEPS),
        "confirm_url": links.link(
            base, links.CONFIRM, token=confirmation_token(secret, registration.id)
        ),
        "status_url": links.link(base, links.STATUS, token=status),
        "restart_url": links.link(base, links.RESTART, token=status),
        "login_url": links.link(base, links.LOGIN),
        "admin_url": links.link(base, links.ADMIN_DETAIL, registration_id=registration.id),
        "home_url": links.link(base, links.HOME),
    }
    subject = _subject(kind, language)
    text = _render(language, f"email/{kind}.txt", {"subject": subject, **context})
    html = _render(language, f"email/{kind}.html", {"subject": subject, **context})
    return RenderedEmail(subject=subject, text=text, html=html)


def render_outbox_email(
    settings: Settings, kind: str, *, language: str, context: dict[str, object]
) -> RenderedEmail:
    """An outbox email: subject, text and HTML from email/<kind>.subject.txt, .txt, .html."""
    base = settings.public_base_url
    common = {
        "contact_email": settings.contact_email,
        "support_email": settings.support_email,
        "home_url": links.link(base, links.HOME),
        "login_url": links.link(base, links.LOGIN),
        **context,
    }
    subject = " ".join(_render(language, f"email/{kind}.subject.txt", common).split())
    text = _render(language, f"email/{kind}.txt", {"subject": subject, **common})
    html = _render(language, f"email/{kind}.html", {"subject": subject, **common})
    return RenderedEmail(subject=subject, text=text, html=html)
