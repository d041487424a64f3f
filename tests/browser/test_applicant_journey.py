"""The applicant's journey in a real browser, in Hungarian and in English."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from core.models import Account, Registration
from core.passwords import hash_password
from tests.browser.conftest import check_accessibility
from workflows import contracts as c

PASSWORD = "Balaton partján 2026 tavasszal"
SUBMIT = "#next"


def fill_wizard(page, shots, *, lang: str, company: dict[str, str], email: str) -> None:  # type: ignore[no-untyped-def]
    page.check("#user_type-0")
    assert page.locator(".warning").is_visible()
    check_accessibility(page)
    shots(page, "user-type")
    page.click(SUBMIT)

    page.wait_for_url("**/register/country")
    if lang == "hu":
        assert page.input_value("#country") == "HU"  # preselected in the Hungarian UI
        assert "Magyarország" in page.inner_text("#country")
    else:
        page.select_option("#country", "HU")
        assert "Hungary" in page.inner_text("#country")
    shots(page, "country")
    page.click(SUBMIT)

    page.wait_for_url("**/register/company")
    assert page.inner_text(".prefix") == "HU"
    assert "4thlevel@bmw.hu" in page.inner_text("main")
    for name, value in company.items():
        page.fill(f"#{name}", value)
    page.fill("#rep_first_name", "Anna")
    page.fill("#rep_last_name", "Szabó")
    check_accessibility(page)
    shots(page, "company")
    page.click(SUBMIT)

    page.wait_for_url("**/register/access")
    page.fill("#contact_person", "Szabó Anna")
    page.fill("#email", email)
    page.fill("#phone", "+36 1 234 5678")
    page.fill("#password", PASSWORD)
    page.check("#accept_terms")
    check_accessibility(page)
    shots(page, "access")
    page.click(SUBMIT)
    page.wait_for_url("**/register/review")


HU_COMPANY = {
    "company_name": "MŰSZAKI JÁRMŰSZERVIZ ZRT.",
    "street": "Üllői út 120.",
    "postcode": "1101",
    "city": "Budapest",
    "vat_number": "90786666",
}


def approve(site, registration_id: str) -> None:  # type: ignore[no-untyped-def]
    with site.app.extensions["aos_sessions"].begin() as session:
        admin = Account(
            email="reviewer@aos.hu",
            role="admin",
            roles="reviewer",
            password_hash=hash_password("reviewer password 1"),
        )
        session.add(admin)
        session.flush()
        admin_id = admin.id
    site.app.extensions["aos_temporal"].decide(
        registration_id, c.Decision(approve=True, decided_by=str(admin_id)), "browser-approve"
    )


def wait_status(site, status: str, timeout: float = 20) -> Registration:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        with site.app.extensions["aos_sessions"]() as session:
            reg = session.scalars(select(Registration)).first()
        if (reg and reg.status == status) or time.monotonic() > deadline:
            assert reg is not None and reg.status == status
            return reg
        time.sleep(0.2)


@pytest.mark.parametrize(("lang", "width"), [("hu", 375), ("en", 1100)])
def test_whole_journey(site, page, shots, mailbox, lang, width):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site.base}/useful-information?lang={lang}")
    check_accessibility(page)
    shots(page, "useful-information")
    page.click("#open-aos")
    page.wait_for_url(f"{site.base}/")
    assert ("Regisztrálás most" if lang == "hu" else "Register now") in page.inner_text("main")
    nav = page.inner_text("header nav")
    assert ("Árlista" if lang == "hu" else "Price list") in nav
    assert ("Súgó" if lang == "hu" else "Help") in nav
    shots(page, "home")
    page.click("main a.button.primary")

    email = f"anna.{lang}@jarmuszerviz.hu"
    fill_wizard(page, shots, lang=lang, company=HU_COMPANY, email=email)
    review = page.inner_text("main")
    assert "MŰSZAKI JÁRMŰSZERVIZ ZRT." in review and "HU90786666" in review
    check_accessibility(page)
    shots(page, "review")
    assert page.inner_text("#send") == "Send Registration"
    page.click("#send")

    page.wait_for_url("**/status/**")
    heading = page.locator("[data-status]")
    assert heading.get_attribute("data-status") == c.Status.AWAITING_EMAIL_CONFIRMATION
    assert page.locator(".deadline").inner_text()  # "confirm by …" in local time
    check_accessibility(page)
    shots(page, "status")

    [mail] = mailbox.wait_for(email)
    expected_subject = (
        "AOS-regisztrációjának megerősítése" if lang == "hu" else "Confirm your AOS registration"
    )
    assert mail.subject == expected_subject
    link = re.search(rf"{re.escape(site.base)}/confirm/\S+", mail.text).group(0)
    page.goto(link)
    check_accessibility(page)
    shots(page, "confirm-page")
    page.click("main form button.primary")
    assert page.locator("h1").inner_text()
    shots(page, "confirmed")
    reg = wait_status(site, c.Status.AWAITING_REVIEW)

    approve(site, reg.id)
    activated = mailbox.wait_for(email, 2)[0]
    login = re.search(rf"{re.escape(site.base)}/login\S*", activated.text).group(0)
    page.goto(login)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    check_accessibility(page)
    shots(page, "login")
    page.click("main form button.primary")
    page.wait_for_url("**/portal/**")
    assert "MŰSZAKI JÁRMŰSZERVIZ ZRT." in page.inner_text("main")
    check_accessibility(page)
    shots(page, "portal")


def test_mismatch_and_use_the_registered_data(site, page, shots):  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/register?lang=en")
    wrong = {**HU_COMPANY, "company_name": "Muszaki Jarmuszerviz Zrt", "street": "Ulloi ut 120"}
    fill_wizard(page, shots, lang="en", company=wrong, email="anna@jarmuszerviz.hu")
    page.click("#send")
    page.wait_for_url("**/register/company")
    diff = page.inner_text(".vat-mismatch")
    assert "MŰSZAKI JÁRMŰSZERVIZ ZRT." in diff and "Muszaki Jarmuszerviz Zrt" in diff
    check_accessibility(page)
    shots(page, "mismatch")
    page.click("form[action$='/company/adopt'] button")
    # Every step was done: the registered data land on the review step, ready to send.
    page.wait_for_url("**/register/review")
    review = page.inner_text(".review")
    assert "MŰSZAKI JÁRMŰSZERVIZ ZRT." in review and "ÜLLŐI ÚT 120., 1101" in review
    shots(page, "adopted")
    page.click("#send")
    page.wait_for_url("**/status/**")
    assert page.locator("[data-status]").get_attribute("data-status") == (
        c.Status.AWAITING_EMAIL_CONFIRMATION
    )
    shots(page, "status")


def test_expiry_then_start_again(site_factory, page, shots, mailbox):  # type: ignore[no-untyped-def]
    site = site_factory(CONFIRMATION_WINDOW="4s")
    page.goto(f"{site.base}/register?lang=en")
    fill_wizard(page, shots, lang="en", company=HU_COMPANY, email="late@jarmuszerviz.hu")
    page.click("#send")
    page.wait_for_url("**/status/**")
    status_url = page.url
    [mail] = mailbox.wait_for("late@jarmuszerviz.hu")
    link = re.search(rf"{re.escape(site.base)}/confirm/\S+", mail.text).group(0)
    wait_status(site, c.Status.EXPIRED)
    page.goto(link)
    assert page.locator("h1").inner_text() == "This link has expired"
    check_accessibility(page)
    shots(page, "expired-link")
    page.goto(status_url)
    shots(page, "expired-status")
    page.click("main a.button.primary")  # Start again
    page.wait_for_url("**/register/access")
    assert page.input_value("#email") == "late@jarmuszerviz.hu"
    assert page.input_value("#password") == ""
    shots(page, "start-again")


def test_resend_cooldown(site, page, shots, mailbox):  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/register?lang=en")
    fill_wizard(page, shots, lang="en", company=HU_COMPANY, email="again@jarmuszerviz.hu")
    page.click("#send")
    page.wait_for_url("**/status/**")
    mailbox.wait_for("again@jarmuszerviz.hu")
    page.click("#resend")
    flash = page.locator(".flash").inner_text()
    assert re.search(r"You can ask for it again in \d min", flash)
    check_accessibility(page)
    shots(page, "resend-refused")
    assert len(mailbox.messages("again@jarmuszerviz.hu")) == 1
