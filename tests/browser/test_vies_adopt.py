"""A Czech and an Irish applicant mistype the street, click "Use the registered data", land on
the review step, send, and get the confirmation email: Debian's Chromium against the real app,
worker and stand-in."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import check_accessibility

SUBMIT = "#next"
PASSWORD = "Vltava a Liffey 2026 na jaře"

# (country, what the applicant types with a typo in the street, what VIES holds)
CASES = {
    "CZ": (
        {
            "company_name": "Autoservis Vinohrady s.r.o.",
            "street": "Milesovska 1136/5",  # accents left out
            "postcode": "130 00",
            "city": "Praha 3",
            "vat_number": "35192275",
        },
        ("AUTOSERVIS VINOHRADY s.r.o.", "Milešovská 1136/5", "130 00", "PRAHA 3"),
    ),
    "IE": (
        {
            "company_name": "Ballymount Motors Limited",
            "street": "Unit 4 Ballymount Rd",
            "postcode": "D12 X9Y8",
            "city": "Dublin 12",
            "vat_number": "9666512W",
        },
        # VIES holds no Irish postcode: the typed one stays.
        ("BALLYMOUNT MOTORS LIMITED", "UNIT 4, BALLYMOUNT ROAD", "D12 X9Y8", "DUBLIN 12"),
    ),
}


@pytest.mark.parametrize("country", sorted(CASES))
def test_typo_adopt_send_confirmation(site, page, shots, mailbox, country):  # type: ignore[no-untyped-def]
    typed, (name, street, postcode, city) = CASES[country]
    email = f"owner.{country.lower()}@workshop.example"

    page.goto(f"{site.base}/register?lang=en")
    page.check("#user_type-0")
    page.click(SUBMIT)
    page.wait_for_url("**/register/country")
    page.select_option("#country", country)
    page.click(SUBMIT)
    page.wait_for_url("**/register/company")
    assert page.inner_text(".prefix") == country
    for field, value in typed.items():
        page.fill(f"#{field}", value)
    page.fill("#rep_first_name", "Jana")
    page.fill("#rep_last_name", "Nováková")
    page.click(SUBMIT)
    page.wait_for_url("**/register/access")
    page.fill("#contact_person", "Jana Nováková")
    page.fill("#email", email)
    page.fill("#phone", "+420 224 123 456" if country == "CZ" else "+353 1 234 5678")
    page.fill("#password", PASSWORD)
    page.check("#accept_terms")
    page.click(SUBMIT)
    page.wait_for_url("**/register/review")
    page.click("#send")

    # The typo: back on the company step, the street named beside VIES's spelling.
    page.wait_for_url("**/register/company")
    diff = page.inner_text(".vat-mismatch")
    assert "Street and house number" in diff and street in diff
    if country == "IE":
        assert "postcode is not compared" in diff
    check_accessibility(page)
    shots(page, "mismatch")
    page.click("text=Use the registered data")

    # Every step was done: the registered data land on the review step, ready to send.
    page.wait_for_url("**/register/review")
    review = page.inner_text(".review")
    assert name in review and street in review and postcode in review and city in review
    assert page.locator(".vat-mismatch").count() == 0
    shots(page, "adopted")
    page.click("#send")

    page.wait_for_url("**/status/**")
    shots(page, "status")
    [mail] = mailbox.wait_for(email)
    link = re.search(rf"{re.escape(site.base)}/confirm/\S+", mail.text)
    assert link, mail.text
    page.goto(link.group(0))
    shots(page, "confirm-page")
