"""Issue 17: the console's "Ask for changes" in Debian's Chromium, in Hungarian and English:
the third answer beside Approve and Reject, its error state (what was typed stays), the
open round, and the registration back in review marked corrected with its before/after.
Each state is audited like every other page (tests/browser/audit.py)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pyotp
import pytest

from core.models import Account, CorrectionAttempt, Registration
from core.passwords import hash_password
from tests.browser.audit import Audit
from tests.browser.test_applicant_journey import wait_status
from tests.webapp.conftest import csrf_token, submit
from workflows import contracts as c

ADMIN = "reviewer@aos.test"
ADMIN_PASSWORD = "console password 123"
MESSAGE = {
    "hu": "A telefonszám nem kapcsolható. Kérjük, adja meg a műhely közvetlen számát.",
    "en": "The phone number does not answer. Please give the workshop's direct line.",
}
WORDS = {
    "hu": {
        "ask": "Módosítás kérése",
        "approve": "Jóváhagyás",
        "phone": "Telefonszám",
        "tick": "Jelöljön be legalább egy részt",
        "sent": "Módosítást kért",
        "waiting": "A jelentkező módosításaira vár",
        "corrected": "Javítva",
        "before": "Előtte",
    },
    "en": {
        "ask": "Ask for changes",
        "approve": "Approve",
        "phone": "Phone",
        "tick": "Tick at least one part",
        "sent": "Changes requested",
        "waiting": "Waiting for the applicant's changes",
        "corrected": "Corrected",
        "before": "Before",
    },
}


def in_review(site, mailbox, lang: str) -> str:  # type: ignore[no-untyped-def]
    """A registration sent and confirmed (through the app itself): it waits for review."""
    client = site.app.test_client()
    assert submit(client, lang=lang).status_code == 302
    [mail] = mailbox.wait_for("peter@kovacs-auto.hu")
    confirm = re.search(rf"{re.escape(site.base)}(/confirm/[\w.\-]+)", mail.text).group(1)
    client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    return wait_status(site, c.Status.AWAITING_REVIEW).id


def reload_when(site, page, status: str) -> None:  # type: ignore[no-untyped-def]
    """Once the record has reached `status` (the workflow is there first), reload."""
    wait_status(site, status)
    page.reload()
    assert page.get_attribute("[data-status]", "data-status") == status


def console_login(site, page, lang: str) -> None:  # type: ignore[no-untyped-def]
    """An enrolled reviewer logs in with password and code; the page ends on the queue."""
    secret = pyotp.random_base32()
    with site.app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email=ADMIN,
                role="admin",
                roles="reviewer",
                password_hash=hash_password(ADMIN_PASSWORD),
                totp_secret=secret,
                totp_enrolled_at=datetime.now(UTC),
            )
        )
    page.goto(f"{site.base}/admin/login?lang={lang}")
    page.fill("#email", ADMIN)
    page.fill("#password", ADMIN_PASSWORD)
    with page.expect_navigation():
        page.click("main form button.primary")
    page.fill("#code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main form button.primary")
    page.wait_for_url("**/admin/")


def correct_phone(site, registration_id: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    """What the applicant's correction page does: store the attempt, hand it over."""
    attempt_id = uuid.uuid4().hex
    with site.app.extensions["aos_sessions"].begin() as session:
        session.add(
            CorrectionAttempt(
                id=attempt_id, registration_id=registration_id, round=1, values={"phone": phone}
            )
        )
    bridge = site.app.extensions["aos_temporal"]
    with site.app.extensions["aos_sessions"]() as session:
        reg = session.get(Registration, registration_id)
    outcome = bridge.submit_correction(
        registration_id,
        c.CorrectionSubmitted(
            round=1,
            attempt_id=attempt_id,
            company_name=reg.company_name,
            street=reg.street,
            postcode=reg.postcode,
            city=reg.city,
        ),
        seconds=20,
    )
    assert outcome is not None and outcome.accepted


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_ask_for_changes_on_the_console(site, page, mailbox, lang):  # type: ignore[no-untyped-def]
    words = WORDS[lang]
    audit = Audit(f"console-changes-{lang}", lang)
    registration_id = in_review(site, mailbox, lang)
    console_login(site, page, lang)
    page.goto(f"{site.base}/admin/registrations/{registration_id}")
    button = page.locator("#ask-for-changes-button")
    assert button.inner_text() == words["ask"]
    assert page.locator("button[value=approve]").inner_text() == words["approve"]
    audit(page, "console-detail-ask-for-changes")

    # A message but nothing ticked: the page again, the problem first, the text kept.
    page.fill("#changes-message", MESSAGE[lang])
    with page.expect_navigation():
        button.click()
    summary = page.locator("#ask-for-changes .error-summary")
    assert words["tick"] in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.input_value("#changes-message") == MESSAGE[lang]
    audit(page, "console-ask-for-changes-errors")

    # The summary's link leads to the boxes; tick Phone by its label and send.
    page.click(f"label:text-is('{words['phone']}')")
    assert page.is_checked("#changes-groups-5")
    with page.expect_navigation():
        page.click("#ask-for-changes-button")
    assert words["sent"] in page.inner_text("main .flash")
    reload_when(site, page, c.Status.CHANGES_REQUESTED)
    box = page.locator("#changes-requested")
    assert words["waiting"] in box.inner_text() and MESSAGE[lang] in box.inner_text()
    assert ADMIN in box.inner_text() and words["phone"] in box.inner_text()
    assert page.locator("#ask-for-changes").count() == 0
    audit(page, "console-changes-requested")

    correct_phone(site, registration_id, "+36 30 123 4567")
    reload_when(site, page, c.Status.AWAITING_REVIEW)
    assert page.inner_text("#corrected-badge") == words["corrected"]
    table = page.locator("#correction-1")
    assert words["before"] in table.inner_text()
    row = re.sub(r"\s+", " ", table.locator("tr[data-field=phone]").inner_text())
    assert row.strip() == f"{words['phone']} +36 1 234 5678 +36 30 123 4567"
    assert page.locator("#ask-for-changes").count() == 1  # decidable again
    audit(page, "console-corrected")

    page.goto(f"{site.base}/admin/")
    queue_row = page.locator(f"tr[data-registration='{registration_id}']")
    assert words["corrected"] in queue_row.inner_text()
    audit.check()
