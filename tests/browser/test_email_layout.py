"""Every email's HTML in a 375 px phone viewport: nothing scrolls sideways, and no link
shows its bare address (links sit behind buttons or words)."""

from __future__ import annotations

import pytest

from core.emails import render_email, render_outbox_email
from tests.workflows.helpers import make_registration
from workflows import contracts as c

LONG_COMPANY = (
    "Kovács és Társa Gépjármű-javító és Alkatrész-kereskedelmi Korlátolt Felelősségű Társaság"
)
SAMPLE_CONTEXTS = {
    "already_registered": {},
    "password_reset": {"reset_url": "http://aos.test/password/reset/" + "x" * 90},
    "password_reset_unknown": {"register_url": "http://aos.test/register"},
    "support_received": {
        "reference": "SR-261204-ABCDEF", "topic": "Bejelentkezés és jelszó", "name": "Nagy Anna",
        "message": "Nem tudok belépni.", "request_url": "http://aos.test/help/requests/" + "y" * 80,
    },
    "support_reply": {
        "reference": "SR-261204-ABCDEF", "name": "Nagy Anna", "reply": "Kész. " * 40,
        "request_url": None, "help_url": "http://aos.test/help/",
    },
    "support_notice": {
        "reference": "SR-261204-ABCDEF", "topic": "Egyéb", "name": "Nagy Anna",
        "email": "nagy.anna.nagyon.hosszu.cimmel@szoke-es-fia-gumiszerviz-bt.hu",
        "phone": "+36 30 123 4567", "company": LONG_COMPANY,
        "answers": [["Alvázszám (VIN)", "WBA" + "1" * 14]], "message": "Kérdés " * 30,
        "follow_up": False, "console_url": "http://aos.test/admin/support/SR-261204-ABCDEF",
    },
    "account_closed": {
        "email": "nagy.anna@szoke-gumi.hu", "when": "2026. december 4. 20:15 (CET)",
        "retention": "90 nap",
    },
}  # fmt: skip


def _emails(app):  # type: ignore[no-untyped-def]
    settings = app.config["SETTINGS"]
    reg = make_registration(
        app,
        company_name=LONG_COMPANY,
        vies_result={"valid": True, "matches": False, "no_data": False, "fields": [
            {"field": "company_name", "registered": LONG_COMPANY.upper(), "typed": LONG_COMPANY,
             "matches": False}]},
    )  # fmt: skip
    for language in ("hu", "en"):
        for kind in c.EmailKind:
            yield f"{kind.value}/{language}", render_email(
                settings, kind, reg, language=language,
                deadline="2026-12-06T02:45:00+00:00", reason="Az indok " * 20,
                vat_check_delayed=True,
            )  # fmt: skip
        for kind, context in SAMPLE_CONTEXTS.items():
            yield (
                f"{kind}/{language}",
                render_outbox_email(settings, kind, language=language, context=context),
            )


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def test_every_email_fits_a_phone_and_hides_its_addresses(app, phone) -> None:  # type: ignore[no-untyped-def]
    checked, wide, bare = 0, [], []
    for name, mail in _emails(app):
        phone.set_content(mail.html)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide.append(f"{name}: {width}px")
        shown = phone.evaluate("[...document.querySelectorAll('a')].map(a => a.textContent.trim())")
        bare += [f"{name}: {text}" for text in shown if text.startswith("http")]
        checked += 1
    assert checked == 2 * (len(c.EmailKind) + len(SAMPLE_CONTEXTS))
    assert wide == [], wide
    assert bare == [], bare
