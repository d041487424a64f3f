"""The whole registration with the keyboard alone: Tab moves, Space ticks, Enter sends, text
is typed (drop-downs by typing the option's start, as a keyboard user does). Every control
the focus reaches must show it (a computed outline or box-shadow under :focus-visible)."""

from __future__ import annotations

from tests.browser.test_applicant_journey import HU_COMPANY, PASSWORD
from workflows import contracts as c

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {
    id: el.id, tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
    visible: el.matches(':focus-visible') && (outline || style.boxShadow !== 'none'),
  };
}"""


class Keyboard:
    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.reached: list[str] = []
        self.unmarked: list[str] = []

    def tab_to(self, selector: str, limit: int = 60) -> None:
        """Press Tab until `selector` has the focus; every stop must show the focus."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUS_STYLE)
            if focused is None:
                continue
            name = f"{self.page.url.rsplit('/', 1)[-1]}:{focused['tag']}#{focused['id']}"
            self.reached.append(name)
            if not focused["visible"]:
                self.unmarked.append(f"{name} {focused['text']!r}")
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def press_on(self, selector: str, key: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press(key)


def test_registration_by_keyboard_alone(site, page, mailbox) -> None:  # type: ignore[no-untyped-def]
    keys = Keyboard(page)
    page.goto(f"{site.base}/register?lang=en")
    # The first Tab shows the skip link; Enter on it moves past the menu to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert "#" not in page.url  # a fragment would follow every post and steal the focus
    keys.press_on("#user_type-0", "Space")  # a radio group: Tab reaches the first, Space picks it
    with page.expect_navigation():
        keys.press_on("#next", "Enter")

    keys.type_into("#country", "Hungary")
    assert page.input_value("#country") == "HU"
    with page.expect_navigation():
        keys.press_on("#next", "Enter")

    # An empty submit first: the error summary takes the focus and its links lead to fields.
    with page.expect_navigation():
        keys.press_on("#next", "Enter")
    # errors.js ran on DOMContentLoaded, before the navigation's load event.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#company_name"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "company_name"

    for name in ("company_name", "street", "postcode", "city", "vat_number"):
        keys.type_into(f"#{name}", HU_COMPANY[name])
    assert not page.is_visible("#billing_street")
    keys.press_on("#billing_differs", " ")
    assert page.is_checked("#billing_differs") and page.is_visible("#billing_street")
    keys.type_into("#billing_street", "Fő utca 1.")
    keys.type_into("#billing_postcode", "1011")
    keys.type_into("#billing_city", "Budapest")
    keys.type_into("#rep_first_name", "Anna")
    keys.type_into("#rep_last_name", "Szabó")
    with page.expect_navigation():
        keys.press_on("#next", "Enter")

    page.wait_for_url("**/register/access")
    keys.type_into("#contact_person", "Szabó Anna")
    keys.type_into("#email", "keys@jarmuszerviz.hu")
    keys.type_into("#phone", "+36 1 234 5678")
    keys.type_into("#password", PASSWORD)
    keys.press_on("#accept_terms", " ")
    with page.expect_navigation():
        keys.press_on("#next", "Enter")

    page.wait_for_url("**/register/review")
    assert "Fő utca 1., 1011 Budapest" in page.inner_text("main")
    with page.expect_navigation():
        keys.press_on("#send", "Enter")
    page.wait_for_url("**/status/**")
    assert page.get_attribute("[data-status]", "data-status") == (
        c.Status.AWAITING_EMAIL_CONFIRMATION
    )
    mailbox.wait_for("keys@jarmuszerviz.hu")

    assert keys.unmarked == [], f"focus not visible on: {keys.unmarked}"
    assert len(keys.reached) > 20
