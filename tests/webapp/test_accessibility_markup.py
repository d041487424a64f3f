"""What the accessibility of the pages rests on, checked in the HTML (the browser audit is
tests/browser/test_accessibility.py): page language, the error summary's links and focus
target, fields tied to their errors, the billing address behind its tick, the statement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.webapp.test_wizard import COMPANY, post, walk_to_review

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
PUBLIC = ["/", "/useful-information", "/register/type", "/prices", "/help/", "/login", "/terms"]


@pytest.mark.parametrize("path", [*PUBLIC, "/accessibility"])
@pytest.mark.parametrize(("query", "lang"), [("", "hu"), ("?lang=en", "en")])
def test_every_page_says_its_language(client, path, query, lang):  # type: ignore[no-untyped-def]
    page = client.get(f"{path}{query}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


@pytest.mark.parametrize(
    ("lang", "title", "link"),
    [
        ("en", "Accessibility statement", "Accessibility statement"),
        ("hu", "Akadálymentességi nyilatkozat", "Akadálymentességi nyilatkozat"),
    ],
)
def test_accessibility_statement_linked_from_every_footer(client, lang, title, link):  # type: ignore[no-untyped-def]
    for path in PUBLIC:
        footer = client.get(f"{path}?lang={lang}").get_data(as_text=True).split("<footer>")[1]
        assert f'<a href="/accessibility">{link}</a>' in footer, path
    page = client.get(f"/accessibility?lang={lang}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert "WCAG" in page and "2.2" in page and "AA" in page and "EN&nbsp;301&nbsp;549" in page
    assert "mailto:4thlevel@bmw.hu" in page  # whom to tell
    assert page.count("<li>") >= 8  # what is done, and the known gaps


def test_error_summary_links_to_each_field_and_takes_the_focus(client):  # type: ignore[no-untyped-def]
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": "HU"})
    page = post(client, "company", {}).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*>.*?</div>', page, re.S)
    assert summary is not None
    assert 'tabindex="-1"' in summary.group(0)  # focusable by static/focus.js
    targets = re.findall(r'<a href="#([\w-]+)">', summary.group(0))
    assert set(targets) >= {"company_name", "street", "postcode", "city", "vat_number"}
    for target in targets:
        field = re.search(rf'<input[^>]*\bid="{target}"[^>]*>', page)
        assert field is not None, target
        assert 'aria-invalid="true"' in field.group(0), target
        described = re.search(r'aria-describedby="([^"]+)"', field.group(0))
        assert described and f"{target}-error" in described.group(1).split(), target
        assert f'id="{target}-error"' in page, target
    assert '<script src="/static/focus.js" defer></script>' in page


def test_billing_fields_sit_behind_their_tick_box(client):  # type: ignore[no-untyped-def]
    post(client, "type", {"user_type": "WORKSHOP"})
    post(client, "country", {"country": "HU"})
    page = client.get("/register/company?lang=en").get_data(as_text=True)
    billing = re.search(r'<fieldset class="billing">.*?</fieldset>', page, re.S).group(0)
    # The checkbox is a sibling of the fields' box: style.css shows it on :checked, no script.
    assert re.search(r'<input[^>]*id="billing_differs"[^>]*type="checkbox"', billing)
    box = billing.index('<div class="billing-fields" id="billing-fields">')
    assert billing.index('id="billing_differs"') < box < billing.index('id="billing_street"')
    assert 'autocomplete="billing address-line1"' in billing
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert ".billing-fields { display: none; }" in css
    assert "#billing_differs:checked ~ .billing-fields { display: block; }" in css


def test_unticked_billing_fields_are_ignored(client):  # type: ignore[no-untyped-def]
    # A browser's autofill may fill the hidden fields: without the tick they count for nothing.
    walk_to_review(
        client, billing_street="Autofill utca 9.", billing_postcode="9999", billing_city="Győr"
    )
    review = client.get("/register/review?lang=en").get_data(as_text=True)
    assert "Same as the company address" in review and "Autofill" not in review
    company = client.get("/register/company").get_data(as_text=True)
    assert "Autofill" not in company and "9999" not in company


def test_ticked_billing_address_is_kept(client):  # type: ignore[no-untyped-def]
    walk_to_review(
        client,
        billing_differs="y",
        billing_street="Fő utca 1.",
        billing_postcode="1011",
        billing_city="Budapest",
    )
    review = client.get("/register/review?lang=en").get_data(as_text=True)
    assert "Fő utca 1., 1011 Budapest" in review
    assert COMPANY["street"] in review


def test_english_button_in_the_hungarian_ui_says_so(client):  # type: ignore[no-untyped-def]
    # "Send Registration" stays English in both UIs (stable interface): WCAG 3.1.2, language
    # of parts, lets a Hungarian screen reader pronounce it as English.
    walk_to_review(client)
    review = client.get("/register/review?lang=hu").get_data(as_text=True)
    assert '<html lang="hu">' in review
    assert 'id="send" lang="en">Send Registration</button>' in review
    one_page = client.get("/register/one-page?lang=hu").get_data(as_text=True)
    assert 'lang="en">Send Registration</button>' in one_page
