"""The pages the tour of test_accessibility.py does not pass: a motorcycle account refused a
car document, and the answer to "Send Registration" for an address that is already registered
(a status page like a new registration's, so that the answer reveals nothing)."""

from __future__ import annotations

import pytest

from tests.browser.accounts import APPLICANT_EMAIL, login_applicant
from tests.browser.audit import Audit
from tests.webapp.conftest import VALID_FORM

TEXT_FIELDS = [name for name in VALID_FORM if name not in {"user_type", "country", "accept_terms"}]


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_refusal_pages_pass_the_audit(site, page, lang):  # type: ignore[no-untyped-def]
    audit = Audit(f"more-pages-{lang}", lang)
    login_applicant(site, page, user_type="MOTORCYCLE")
    response = page.goto(f"{site.base}/portal/technical/car/bmw-g20-brake-pads-front?lang={lang}")
    assert response is not None and response.status == 403
    audit(page, "portal-forbidden")
    page.goto(f"{site.base}/portal/")
    with page.expect_navigation():
        page.click("main form[action$='/logout'] button")

    page.goto(f"{site.base}/register/one-page")
    page.select_option("#user_type", "WORKSHOP")
    page.select_option("#country", "HU")
    for name in TEXT_FIELDS:
        if page.is_visible(f"#{name}"):
            page.fill(f"#{name}", VALID_FORM[name])
    page.fill("#vat_number", VALID_FORM["vat_number"].removeprefix("HU"))
    page.fill("#email", APPLICANT_EMAIL)  # has an account: the owner is told by email
    page.check("#accept_terms")
    with page.expect_navigation():
        page.click("main form button.primary[lang=en]")
    assert "/status/" in page.url, page.inner_text("main")
    audit(page, "already-registered-status")
    assert audit.pages == ["portal-forbidden", "already-registered-status"]
    audit.check()
