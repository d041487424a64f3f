"""The hosted payment page in Debian's Chromium (Playwright): paying with the test card by
keyboard, the declined card and the authentication step, each page audited with axe-core
(WCAG A/AA) and checked for horizontal scrolling at 375 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from payments.provider import PaymentProvider
from payments.standin import StandIn
from tests.browser.audit import Audit
from tests.payments.conftest import order

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def checkout(provider: PaymentProvider, standin: StandIn, order_id: str) -> tuple[str, str]:
    # Back to the stand-in's own health page: a real page the browser can land on.
    back = f"{standin.base_url}/_standin/health?session={{CHECKOUT_SESSION_ID}}"
    session = provider.create_checkout(order(order_id, success_url=back))
    assert session.url
    return session.id, session.url


def test_pay_with_the_test_card_by_keyboard(browser, provider, standin) -> None:  # type: ignore[no-untyped-def]
    audit = Audit("stripe-standin-pay", "en")
    session_id, url = checkout(provider, standin, "order-browser")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(url)
    audit(page, "payment page")
    page.get_by_label("Card number").focus()
    page.keyboard.type("4242 4242 4242 4242")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "expiry"
    page.keyboard.type("12 / 34")
    page.keyboard.press("Tab")
    page.keyboard.type("123")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Pay"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{standin.base_url}/_standin/health?session={session_id}")
    assert provider.session(session_id).paid
    page.close()
    audit.check()


def test_declined_then_authenticated(browser, provider, standin) -> None:  # type: ignore[no-untyped-def]
    audit = Audit("stripe-standin-decline-and-3ds", "en")
    session_id, url = checkout(provider, standin, "order-3ds")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.get_by_label("Card number").fill("4242 4242 4242 4241")
    page.get_by_label("Expiry date").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Pay").click()
    assert page.get_by_text("Your card number is invalid.").is_visible()
    assert page.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    audit(page, "invalid number")

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay").click()
    assert page.get_by_role("alert").inner_text().startswith("Your card was declined.")
    audit(page, "declined")

    page.get_by_label("Card number").fill("4000 0025 0000 3155")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{url}/authenticate")
    audit(page, "authentication")
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(f"{standin.base_url}/_standin/health?session={session_id}")
    assert provider.session(session_id).paid
    page.close()
    audit.check()


def test_the_expired_page(browser, provider, standin) -> None:  # type: ignore[no-untyped-def]
    audit = Audit("stripe-standin-expired", "en")
    session_id, url = checkout(provider, standin, "order-expired")
    provider.expire(session_id)
    page = browser.new_page()
    page.goto(url)
    assert page.get_by_role("heading", name="Session expired").is_visible()
    audit(page, "expired")
    page.close()
    audit.check()
