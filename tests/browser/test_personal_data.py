"""An applicant downloads their data, reads the privacy notice from the footer, and closes
the account, in Debian's Chromium against the real app (both languages)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser.conftest import check_accessibility
from tests.webapp.test_portal import PASSWORD, WORKSHOP, make_applicant


def _log_in(site, page, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/login?lang={lang}")
    page.fill("#email", WORKSHOP)
    page.fill("#password", PASSWORD)
    page.click("main form button.primary")
    page.wait_for_url("**/portal/**")


def test_download_my_data_then_close_the_account(site, page, shots):  # type: ignore[no-untyped-def]
    make_applicant(site.app, WORKSHOP)
    _log_in(site, page, "en")
    page.goto(f"{site.base}/portal/account")
    check_accessibility(page)
    shots(page, "account")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/portal/account/confirm**")  # the password again first (issue 24)
    check_accessibility(page)
    page.fill("#password", PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Continue").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["registrations"][0]["company_name"] == "Kovács és Társa Autójavító Kft."
    assert "password_hash" not in json.dumps(data)

    page.goto(f"{site.base}/portal/account")
    page.get_by_role("link", name="Close my account").click()
    page.wait_for_url("**/portal/account/close")
    check_accessibility(page)
    page.fill("#password", "not my password")
    page.get_by_role("button", name="Close my account").click()
    assert "The password is not correct." in page.inner_text("main")
    shots(page, "wrong-password")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Close my account").click()
    page.wait_for_url("**/account-closed")
    assert "90 days" in page.inner_text("main")
    shots(page, "closed")

    page.goto(f"{site.base}/portal/")
    page.wait_for_url("**/login**")  # every session ended
    page.fill("#email", WORKSHOP)
    page.fill("#password", PASSWORD)
    page.click("main form button.primary")
    assert "This account has been closed." in page.inner_text("main")


def test_privacy_notice_from_the_footer_in_hungarian(site, page, shots):  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/register/one-page?lang=hu")
    page.locator("footer").get_by_role("link", name="Adatkezelési tájékoztató").click()
    page.wait_for_url("**/privacy")
    assert page.inner_text("h1") == "Adatkezelési tájékoztató"
    text = page.inner_text("main")
    assert "90 nap" in text and "48 óra" in text and "VIES" in text
    check_accessibility(page)
    shots(page, "privacy-hu")
