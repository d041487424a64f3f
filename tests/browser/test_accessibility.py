"""Every page, in Hungarian and English, audited in Debian's Chromium (tests/browser/audit.py):
axe-core's WCAG 2.0/2.1/2.2 A+AA rules (no serious or critical violation), `lang`, no
horizontal scrolling at 375 px, screenshots at 375 and 1280 px. The public pages, every
wizard step and its error state, the status and confirmation pages, the portal (logged in)
and the console (logged in with TOTP)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from core.models import Account, Registration
from core.passwords import hash_password
from tests.browser.audit import Audit
from tests.browser.test_applicant_journey import HU_COMPANY, PASSWORD, approve
from tests.workflows.helpers import make_registration
from webapp.auth.service import reset_token
from workflows import contracts as c

ADMIN_PASSWORD = "console password 123"


def _submit(page) -> None:  # type: ignore[no-untyped-def]
    """The page's main button: the wizard's Next, else the form's primary button."""
    button = "#next" if page.locator("#next").count() else "main form [type=submit].primary"
    with page.expect_navigation():
        page.click(button)


def public_pages(site, page, audit: Audit, lang: str) -> None:  # type: ignore[no-untyped-def]
    for path, label in [
        (f"/useful-information?lang={lang}", "useful-information"),
        ("/", "home"),
        ("/terms", "terms"),
        ("/accessibility", "accessibility-statement"),
        ("/prices", "price-list"),
        ("/help/", "help"),
        ("/login", "login"),
        ("/password/forgot", "password-forgot"),
        ("/password/reset/not-a-token", "password-reset-invalid"),
        ("/confirm/not-a-token", "confirm-invalid"),
        ("/register/one-page", "one-page-form"),
    ]:
        page.goto(f"{site.base}{path}")
        audit(page, label)
    _submit(page)
    audit(page, "one-page-form-errors")
    page.goto(f"{site.base}/login")
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "wrong password here")
    _submit(page)
    audit(page, "login-error")
    page.goto(f"{site.base}/password/forgot")
    _submit(page)
    audit(page, "password-forgot-errors")
    page.goto(f"{site.base}/help/new/other")
    audit(page, "help-form")
    _submit(page)
    audit(page, "help-form-errors")
    page.fill("#name", "Szabó Anna")
    page.fill("#email", "anna@example.com")
    page.fill("#subject", "Kérdés")
    page.fill("#message", "Hogyan működik a regisztráció?")
    _submit(page)
    audit(page, "help-sent")


def wizard(site, page, audit: Audit, lang: str, email: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/register")
    audit(page, "wizard-type")
    _submit(page)
    audit(page, "wizard-type-errors")
    page.check("#user_type-0")
    _submit(page)
    audit(page, "wizard-country")
    page.select_option("#country", "HU")
    _submit(page)
    audit(page, "wizard-company")
    _submit(page)
    audit(page, "wizard-company-errors")
    wrong = {**HU_COMPANY, "company_name": "Muszaki Jarmuszerviz Zrt"}
    for name, value in wrong.items():
        page.fill(f"#{name}", value)
    page.check("#billing_differs")
    audit(page, "wizard-company-billing")
    page.fill("#billing_street", "Fő utca 1.")
    page.fill("#billing_postcode", "1011")
    page.fill("#billing_city", "Budapest")
    page.fill("#rep_first_name", "Anna")
    page.fill("#rep_last_name", "Szabó")
    _submit(page)
    audit(page, "wizard-access")
    _submit(page)
    audit(page, "wizard-access-errors")
    page.fill("#contact_person", "Szabó Anna")
    page.fill("#email", email)
    page.fill("#phone", "+36 1 234 5678")
    page.fill("#password", PASSWORD)
    page.check("#accept_terms")
    _submit(page)
    audit(page, "wizard-review")
    with page.expect_navigation():
        page.click("#send")
    assert page.locator(".vat-mismatch").count() == 1
    audit(page, "wizard-vat-mismatch")
    with page.expect_navigation():
        page.click("form[action$='/company/adopt'] button")
    page.wait_for_url("**/register/review")  # every step was done: straight to review
    audit(page, "wizard-review-adopted")
    with page.expect_navigation():
        page.click("#send")
    page.wait_for_url("**/status/**")
    audit(page, "status-awaiting-confirmation")
    return page.url


def _wait_review(site, email: str, timeout: float = 20) -> str:  # type: ignore[no-untyped-def]
    """The id of `email`'s registration once it waits for review (the earlier one ended)."""
    deadline = time.monotonic() + timeout
    query = select(Registration.id).where(
        Registration.email == email, Registration.status == c.Status.AWAITING_REVIEW
    )
    while True:
        with site.app.extensions["aos_sessions"]() as session:
            found = session.scalars(query).first()
        if found:
            return found
        assert time.monotonic() < deadline, f"no registration of {email} waits for review"
        time.sleep(0.1)


def confirmation(site, page, audit: Audit, mailbox, email: str) -> str:  # type: ignore[no-untyped-def]
    [mail] = mailbox.wait_for(email)
    link = re.search(rf"{re.escape(site.base)}/confirm/\S+", mail.text).group(0)
    page.goto(link)
    audit(page, "confirm")
    _submit(page)
    audit(page, "confirmed")
    return _wait_review(site, email)


def portal(site, page, audit: Audit, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    _submit(page)
    page.wait_for_url("**/portal/**")
    audit(page, "portal-home")
    for path, label in [
        ("/portal/first-steps", "first-steps"),
        ("/portal/technical", "technical"),
        ("/portal/account", "account"),
        ("/portal/account/confirm", "confirm-identity"),
        ("/help/requests", "my-help-requests"),
    ]:
        page.goto(f"{site.base}{path}")
        audit(page, label)
    page.goto(f"{site.base}/portal/technical")
    with page.expect_navigation():
        page.click("main h2 a[href*='/portal/technical/']")
    audit(page, "technical-category")
    with page.expect_navigation():
        page.click("main li a[href*='/portal/technical/']")
    audit(page, "technical-entry")
    page.goto(f"{site.base}/help/new/login")
    audit(page, "help-form-logged-in")
    page.fill("#message", "Nem tudok belépni.")
    _submit(page)
    page.goto(f"{site.base}/help/requests")
    with page.expect_navigation():
        page.click("main a[href*='/help/requests/SR-']")
    audit(page, "help-request")
    page.goto(f"{site.base}/portal/")
    with page.expect_navigation():
        page.click("main form[action$='/logout'] button")
    page.goto(f"{site.base}/password/forgot")
    page.fill("#email", email)
    _submit(page)
    audit(page, "password-reset-sent")
    with site.app.extensions["aos_sessions"]() as session:
        account = session.scalars(select(Account).where(Account.email == email)).one()
        token = reset_token(site.app.config["SETTINGS"].secret_key, account)
    page.goto(f"{site.base}/password/reset/{token}")
    audit(page, "password-reset-form")
    _submit(page)
    audit(page, "password-reset-form-errors")


def console(site, page, audit: Audit, registration_id: str) -> None:  # type: ignore[no-untyped-def]
    with site.app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email="reviewer@aos.test",
                role="admin",
                roles="reviewer,support",
                password_hash=hash_password(ADMIN_PASSWORD),
            )
        )
    page.goto(f"{site.base}/admin/login")
    audit(page, "console-login")
    _submit(page)
    audit(page, "console-login-errors")
    page.fill("#email", "reviewer@aos.test")
    page.fill("#password", ADMIN_PASSWORD)
    _submit(page)
    page.wait_for_url("**/admin/login/enrol")
    audit(page, "console-enrol")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    _submit(page)
    audit(page, "console-enrol-error")
    page.fill("#code", pyotp.TOTP(secret).now())
    _submit(page)
    page.wait_for_url("**/admin/")
    audit(page, "console-queue")
    # The detail page of a registration in review: Approve, Reject and Ask for changes, and
    # the request for changes sent incomplete (a stored record is enough to show them).
    in_review = make_registration(site.app, status=c.Status.AWAITING_REVIEW.value)
    page.goto(f"{site.base}/admin/")
    assert page.locator("#review-queue tbody tr").count() == 1
    audit(page, "console-queue-with-rows")
    page.goto(f"{site.base}/admin/registrations/{in_review.id}")
    audit(page, "console-detail-in-review")
    page.select_option("#reason_code", index=1)
    with page.expect_navigation():
        page.click("button[value=reject]")
    assert page.locator("#confirm-reject").count() == 1  # asks before it acts
    audit(page, "console-reject-confirm")
    page.goto(f"{site.base}/admin/registrations/{in_review.id}")
    with page.expect_navigation():
        page.click("#ask-for-changes-button")
    assert page.locator("#ask-for-changes .error-summary").count() == 1
    audit(page, "console-ask-for-changes-errors")
    # At 1280 px the VIES comparison's five columns fit: nothing cut off or scrolled.
    page.goto(f"{site.base}/admin/registrations/{registration_id}")
    widths = page.evaluate(
        "(() => { const t = document.querySelector('#vies-comparison');"
        " return [t.scrollWidth, t.closest('.scroll-region').clientWidth,"
        " document.documentElement.scrollWidth, window.innerWidth]; })()"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    for path, label in [
        (f"/admin/registrations/{registration_id}", "console-detail"),
        ("/admin/accounts", "console-accounts"),
        ("/admin/prices", "console-prices"),
        ("/admin/support/", "console-support"),
    ]:
        page.goto(f"{site.base}{path}")
        audit(page, label)
    with page.expect_navigation():
        page.click("main a[href*='/admin/support/SR-']")
    audit(page, "console-support-request")
    with page.expect_navigation():
        page.click("form[action$='/admin/logout'] button")
    page.fill("#email", "reviewer@aos.test")
    page.fill("#password", ADMIN_PASSWORD)
    _submit(page)
    page.wait_for_url("**/admin/login/code")
    audit(page, "console-code")
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    _submit(page)
    audit(page, "console-code-error")


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_every_page_passes_the_audit(site, page, mailbox, lang):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    audit = Audit(f"all-pages-{lang}", lang)
    email = f"audit.{lang}@jarmuszerviz.hu"
    public_pages(site, page, audit, lang)
    status_url = wizard(site, page, audit, lang, email)
    registration_id = confirmation(site, page, audit, mailbox, email)
    approve(site, registration_id)
    mailbox.wait_for(email, 2)
    page.goto(status_url)
    audit(page, "status-activated")
    portal(site, page, audit, email)
    console(site, page, audit, registration_id)
    assert len(audit.pages) >= 58
    audit.check()
