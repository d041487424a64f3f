"""The support topics and the labels of their own questions.

Answers are stored as codes ([[field, value], ...]); labels and choice texts are looked up
here when a page or an email shows them, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from webapp.pricing.products import product_choices

TOPICS: dict[str, tuple[str, str]] = {
    "registration": (
        _l("Registration"),
        _l("Questions about your registration, the VAT check or your company data."),
    ),
    "login": (
        _l("Login and password"),
        _l("You cannot log in, forgot your password or did not receive an email."),
    ),
    "pricing": (
        _l("Price list and payment"),
        _l("Ordering access, prices, invoices and payment."),
    ),
    "technical": (
        _l("Technical information"),
        _l("Finding or reading repair and maintenance information."),
    ),
    "other": (_l("Other"), _l("Anything else about the AOS portal.")),
}

STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}

LABELS = {
    "name": _l("Your name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "company": _l("Company name"),
    "message": _l("Your question or problem"),
    "vat_number": _l("VAT number"),
    "registration_reference": _l("Registration reference"),
    "login_email": _l("Email address you log in with"),
    "login_problem": _l("The problem"),
    "error_text": _l("The message you see, if any"),
    "product": _l("Access product"),
    "invoice_number": _l("Invoice number"),
    "vehicle_category": _l("Vehicle category"),
    "model": _l("Model or series"),
    "vin": _l("Vehicle identification number (VIN)"),
    "document": _l("Document"),
    "subject": _l("Subject"),
}


def login_problem_choices() -> list[tuple[str, str]]:
    return [
        ("forgot", _l("I forgot my password")),
        ("rejected", _l("My email address or password is not accepted")),
        ("pending", _l("My registration is still waiting for approval")),
        ("no_email", _l("I did not receive an email from AOS")),
        ("disabled", _l("My account is disabled")),
        ("other", _l("Something else")),
    ]


def vehicle_category_choices() -> list[tuple[str, str]]:
    return [
        ("car", _l("Cars (BMW, MINI)")),
        ("motorcycle", _l("Motorcycles (BMW Motorrad)")),
    ]


def pricing_product_choices() -> list[tuple[str, str]]:
    return [("", _l("Not about one product")), *product_choices()]


CHOICES: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "login_problem": login_problem_choices,
    "vehicle_category": vehicle_category_choices,
    "product": pricing_product_choices,
}


def topic_label(topic: str) -> str:
    return str(TOPICS[topic][0]) if topic in TOPICS else topic


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def answer_rows(answers: list[list[str]]) -> list[tuple[str, str]]:
    """[(label, text)] for the stored answers, in the current language; empty ones left out."""
    rows = []
    for name, value in answers:
        if not value:
            continue
        text = value
        if name in CHOICES:
            text = str(dict(CHOICES[name]()).get(value, value))
        rows.append((str(LABELS.get(name, name)), text))
    return rows
