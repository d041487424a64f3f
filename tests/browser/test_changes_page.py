"""The applicant's correction page of "Ask for changes" in the browser, in both languages,
with the keyboard alone: the status page says what was asked and links to the page; an
emptied field, then a company name VIES does not confirm, then the right one. The audit of
these pages (axe-core, 375 px) is in test_accessibility_more.py."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from sqlalchemy import select

from core.models import Registration
from core.tokens import status_token
from tests.browser.test_keyboard import Keyboard
from tests.webapp.conftest import csrf_token, submit
from tests.workflows.helpers import HU_NAME
from workflows import contracts as c

APPLICANT = "peter@kovacs-auto.hu"
MESSAGE = "Please write the company name exactly as registered, and the phone of the workshop."


def _status(site) -> str:  # type: ignore[no-untyped-def]
    with site.app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration.status)).one()


def _wait(site, status: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while _status(site) != status:
        assert time.monotonic() < deadline, f"{_status(site)}, expected {status}"
        time.sleep(0.1)


def changes_asked(site, mailbox, lang: str, groups: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """Register and confirm (over HTTP, as the browser journey tests do), then ask for
    changes through the workflow's Update: the status token."""
    client = site.app.test_client()
    assert submit(client, lang=lang).status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    confirm = re.search(rf"{re.escape(site.base)}(/confirm/[\w.\-]+)", mail.text).group(1)
    client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    _wait(site, "AWAITING_REVIEW")
    with site.app.extensions["aos_sessions"]() as session:
        registration_id = session.scalars(select(Registration.id)).one()
    site.app.extensions["aos_temporal"].ask_for_changes(
        registration_id,
        c.ChangesRequest(
            groups=groups or ["company_name", "phone"], message=MESSAGE, requested_by="1"
        ),
        update_id=f"changes-{uuid.uuid4().hex}",
    )
    _wait(site, "CHANGES_REQUESTED")
    return status_token(site.app.config["SETTINGS"].secret_key, registration_id)


def _send(page, keys: Keyboard) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        keys.press_on("#send-changes", "Enter")


def _retype(page, keys: Keyboard, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    keys.tab_to(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    if text:
        page.keyboard.type(text)


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_the_correction_page_by_keyboard(site, page, mailbox, lang):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    token = changes_asked(site, mailbox, lang)
    page.goto(f"{site.base}/status/{token}?lang={lang}")
    assert MESSAGE in page.inner_text("#changes-asked")

    keys = Keyboard(page)
    with page.expect_navigation():
        keys.press_on("#open-changes", "Enter")
    assert page.url.endswith(f"/changes/{token}")
    assert MESSAGE in page.inner_text("#changes-message")
    assert page.input_value("#company_name") == HU_NAME
    assert page.locator("#street").count() == 0  # not asked for

    _retype(page, keys, "#phone", "")
    _send(page, keys)
    assert page.locator("#phone-error").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")

    _retype(page, keys, "#company_name", "Kovács Autójavító Kft.")
    _retype(page, keys, "#phone", "+36 30 123 4567")
    _send(page, keys)
    assert page.locator(".vat-mismatch").is_visible()
    assert HU_NAME in page.inner_text(".vat-mismatch strong.registered")
    assert page.input_value("#company_name") == "Kovács Autójavító Kft."
    assert page.input_value("#phone") == "+36 30 123 4567"

    _retype(page, keys, "#company_name", HU_NAME)
    _send(page, keys)
    assert page.locator("h1[data-state=accepted]").is_visible(), page.inner_text("main")
    _wait(site, "AWAITING_REVIEW")
    page.goto(f"{site.base}/status/{token}?lang={lang}")
    assert page.locator("#changes-received").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert keys.unmarked == []
