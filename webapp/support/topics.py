"""The support topics and the labels of their own questions, as msgids (webapp/msgid.py).

Answers are stored as codes ([[field, value], ...]); labels and choice texts are looked up
here when a page or an email shows them, and translated by the `translate` it is given:
gettext in a view or template, the email's catalogue in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from webapp.msgid import N_, Translate
from webapp.pricing.products import CATEGORIES, product_choices

TOPICS: dict[str, tuple[str, str]] = {
    "registration": (
        N_("Registration"),
        N_("Questions about your registration, the VAT check or your company data."),
    ),
    "login": (
        N_("Login and password"),
        N_("You cannot log in, forgot your password or did not receive an email."),
    ),
    "pricing": (
        N_("Price list and payment"),
        N_("Ordering access, prices, invoices and payment."),
    ),
    "technical": (
        N_("Technical information"),
        N_("Finding or reading repair and maintenance information."),
    ),
    "other": (N_("Other"), N_("Anything else about the AOS portal.")),
}

STATUS_LABELS = {
    "new": N_("New"),
    "in_progress": N_("In progress"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}

LABELS = {
    "name": N_("Your name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "company": N_("Company name"),
    "message": N_("Your question or problem"),
    "vat_number": N_("VAT number"),
    "registration_reference": N_("Registration reference"),
    "login_email": N_("Email address you log in with"),
    "login_problem": N_("The problem"),
    "error_text": N_("The message you see, if any"),
    "product": N_("Access product"),
    "invoice_number": N_("Invoice number"),
    "vehicle_category": N_("Vehicle category"),
    "model": N_("Model or series"),
    "vin": N_("Vehicle identification number (VIN)"),
    "document": N_("Document"),
    "subject": N_("Subject"),
}

# The hints under some of the topics' own questions (their labels above).
HINTS = {
    "vat_number": N_("With the country code, e.g. HU12345676"),
    "registration_reference": N_(
        "If you have it: the reference shown in the portal, or the date you sent the registration."
    ),
    "invoice_number": N_("If your question is about an invoice."),
    "model": N_("e.g. 3 Series (G20), R 1250 GS"),
    "vin": N_("17 characters, if the question is about one vehicle."),
}


LOGIN_PROBLEMS = {
    "forgot": N_("I forgot my password"),
    "rejected": N_("My email address or password is not accepted"),
    "pending": N_("My registration is still waiting for approval"),
    "no_email": N_("I did not receive an email from AOS"),
    "disabled": N_("My account is disabled"),
    "other": N_("Something else"),
}


def _translated(msgids: dict[str, str], translate: Translate) -> list[tuple[str, str]]:
    return [(code, translate(msgid)) for code, msgid in msgids.items()]


def login_problem_choices(translate: Translate) -> list[tuple[str, str]]:
    return _translated(LOGIN_PROBLEMS, translate)


def vehicle_category_choices(translate: Translate) -> list[tuple[str, str]]:
    """The price list's vehicle categories."""
    return _translated(CATEGORIES, translate)


def pricing_product_choices(translate: Translate) -> list[tuple[str, str]]:
    return [("", translate(N_("Not about one product"))), *product_choices(translate)]


CHOICES: dict[str, Callable[[Translate], list[tuple[str, str]]]] = {
    "login_problem": login_problem_choices,
    "vehicle_category": vehicle_category_choices,
    "product": pricing_product_choices,
}


def topic_label(topic: str, translate: Translate) -> str:
    return translate(TOPICS[topic][0]) if topic in TOPICS else topic


def status_label(status: str, translate: Translate) -> str:
    return translate(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def answer_rows(answers: list[list[str]], translate: Translate) -> list[tuple[str, str]]:
    """[(label, text)] for the stored answers, translated; empty ones left out."""
    rows = []
    for name, value in answers:
        if not value:
            continue
        text = value
        if name in CHOICES:
            text = dict(CHOICES[name](translate)).get(value, value)
        rows.append((translate(LABELS[name]) if name in LABELS else name, text))
    return rows


def label_helpers(translate: Translate) -> dict[str, Callable[..., object]]:
    """topic_label, status_label and answer_rows in one language, for a page's templates."""
    return {
        "topic_label": partial(topic_label, translate=translate),
        "status_label": partial(status_label, translate=translate),
        "answer_rows": partial(answer_rows, translate=translate),
    }
