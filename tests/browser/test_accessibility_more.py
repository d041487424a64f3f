"""The pages the tour of test_accessibility.py does not pass: a motorcycle account refused a
car document, and the answer to "Send Registration" for an address that is already registered
(a status page like a new registration's, so that the answer reveals nothing); the
applicant's pages of "Ask for changes"."""

from __future__ import annotations

import pytest

from tests.browser.accounts import APPLICANT_EMAIL, login_applicant
from tests.browser.audit import Audit
from tests.browser.test_changes_page import changes_asked
from tests.webapp.conftest import VALID_FORM
from tests.workflows.helpers import HU_NAME
from workflows import contracts as c

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
    page.check("#user_type-0")
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


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_correction_pages_pass_the_audit(site, page, mailbox, lang):  # type: ignore[no-untyped-def]
    """ "Ask for changes" as the applicant sees it: the status page, the correction page,
    its error state, the VIES mismatch, the answer, and the link once the round is over;
    every field that can be asked for is on the page."""
    audit = Audit(f"changes-{lang}", lang)
    token = changes_asked(site, mailbox, lang, groups=list(c.CHANGE_GROUPS))
    page.goto(f"{site.base}/status/{token}?lang={lang}")
    audit(page, "status-changes-requested")
    page.goto(f"{site.base}/changes/{token}")
    audit(page, "changes")
    page.fill("#company_name", "")
    with page.expect_navigation():
        page.click("#send-changes")
    assert page.locator("#company_name-error").is_visible()
    audit(page, "changes-error")
    page.fill("#company_name", "Kovács Autójavító Kft.")
    with page.expect_navigation():
        page.click("#send-changes")
    assert page.locator(".vat-mismatch").is_visible()
    audit(page, "changes-mismatch")
    page.fill("#company_name", HU_NAME)
    with page.expect_navigation():
        page.click("#send-changes")
    assert page.locator("h1[data-state=accepted]").is_visible()
    audit(page, "changes-sent")
    page.goto(f"{site.base}/changes/{token}")
    assert page.locator("h1[data-state=closed]").is_visible()
    audit(page, "changes-closed")
    assert audit.pages == [
        "status-changes-requested",
        "changes",
        "changes-error",
        "changes-mismatch",
        "changes-sent",
        "changes-closed",
    ]
    audit.check()
