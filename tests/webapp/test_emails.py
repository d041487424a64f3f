"""Every registration email, rendered in Hungarian and English: a subject that says what
it is about, absolute links to this portal only, no remote images or fonts, no English
left in the Hungarian version."""

from __future__ import annotations

import re

import pytest

from core.emails import render_email, render_outbox_email
from tests.workflows.helpers import make_registration
from workflows import contracts as c

BASE = "http://aos.test"
LINKS = re.compile(r"https?://[^\s\"'<>)]+")
# Text every language shows as is: product names, addresses, the layout's header.
UNTRANSLATABLE = ("BMW & MINI Aftersales Online System", "4thlevel@bmw.hu")


@pytest.fixture
def registration(app):  # type: ignore[no-untyped-def]
    return make_registration(
        app,
        vies_result={
            "valid": True,
            "matches": False,
            "no_data": False,
            "fields": [
                {
                    "field": "address",
                    "registered": "Váci út 22. 1132 Budapest",
                    "typed": "Váci út 22 1132 Budapest",
                    "matches": False,
                },
            ],
        },
    )


def _render(app, kind: str, registration, language: str):  # type: ignore[no-untyped-def]
    return render_email(
        app.config["SETTINGS"],
        kind,
        registration,
        language=language,
        deadline="2026-11-26T13:03:00+00:00",
        reason="Az indok / the reason",
        vat_check_delayed=True,
    )


def _sentences(text: str) -> list[str]:
    """English sentences of a rendered email that a translation must have replaced."""
    found = []
    for line in text.splitlines():
        line = LINKS.sub("", line).strip()
        if len(line) < 25 or not re.search(r"[a-z]{3}", line):
            continue
        if any(token in line for token in UNTRANSLATABLE):
            continue
        found.append(line)
    return found


@pytest.mark.parametrize("kind", [k.value for k in c.EmailKind])
def test_every_registration_email_in_both_languages(app, registration, kind):
    en = _render(app, kind, registration, "en")
    hu = _render(app, kind, registration, "hu")
    for mail in (en, hu):
        assert mail.subject and mail.text.strip() and mail.html.strip()
        for link in LINKS.findall(mail.text + mail.html):
            assert link.startswith(BASE), f"{kind}: link to another host: {link}"
        assert "<img" not in mail.html and "<link" not in mail.html and "@import" not in mail.html
    assert en.subject != hu.subject
    assert LINKS.findall(en.text), f"{kind}: no link to act on"
    for sentence in _sentences(en.text):
        assert sentence not in hu.text, f"{kind}: untranslated in Hungarian: {sentence!r}"
    assert '<html lang="hu">' in hu.html and '<html lang="en">' in en.html


def test_deadline_is_in_budapest_time_and_the_locale_format(app, registration):
    assert "2026. november 26. 14:03" in _render(app, "confirmation", registration, "hu").text
    assert "26 November 2026 14:03" in _render(app, "confirmation", registration, "en").text


@pytest.mark.parametrize("kind", ["already_registered", "password_reset_unknown"])
def test_outbox_emails_in_both_languages(app, kind):
    en = render_outbox_email(app.config["SETTINGS"], kind, language="en", context={})
    hu = render_outbox_email(app.config["SETTINGS"], kind, language="hu", context={})
    assert en.subject != hu.subject
    for sentence in _sentences(en.text):
        assert sentence not in hu.text
    for link in LINKS.findall(en.text + hu.text + en.html + hu.html):
        assert link.startswith(BASE)


def test_reviewers_are_told_when_vies_would_not_check_the_number(app):
    reg = make_registration(
        app, vies_result={"valid": True, "matches": True, "no_data": True, "fields": [],
                          "flag_reason": "VAT_BLOCKED"},
    )  # fmt: skip
    message = _render(app, c.EmailKind.REVIEW_REQUESTED, reg, "en")
    assert "VAT_BLOCKED" in message.text and "VAT_BLOCKED" in message.html


def test_delayed_mismatch_names_the_address_field(app):
    reg = make_registration(
        app,
        vies_result={"valid": True, "matches": False, "no_data": False, "fields": [
            {"field": "street", "registered": "Váci út 22.", "typed": "Váci út 22",
             "matches": False, "note": ""}]},
    )  # fmt: skip
    message = _render(app, c.EmailKind.VAT_CHECK_DELAYED_MISMATCH, reg, "en")
    assert "Street and house number" in message.text and "Street and house number" in message.html
