"""The mismatch page on a phone (375 px), in Hungarian: the rows stacked, no word broken in
the middle, the differing characters marked (a lone missing full stop too), and "A regisztrált
adatok használata" landing on the review step."""

from __future__ import annotations

from tests.browser.conftest import check_accessibility

PASSWORD = "Balaton partján 2026 tavasszal"
# The stand-in's Hungarian company: VIES holds „Kovács és Társa Autójavító Kft.”, „Váci út
# 22.”; typed without the accents and the street's full stop.
TYPED = {
    "company_name": "Kovacs es Tarsa Autojavito Kft.",
    "street": "Váci út 22",
    "postcode": "1132",
    "city": "Budapest",
    "vat_number": "12345676",
}

# Every word in the comparison's cells that the browser drew on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table.diff th, table.diff td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def choose(page, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """A choice shown as a select or as radio buttons."""
    if page.locator(f"select[name={name}]").count():
        page.select_option(f"select[name={name}]", value)
    else:
        page.check(f"input[name={name}][value={value}]")


def test_mismatch_on_a_phone(site, page, mailbox):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site.base}/register?lang=hu")
    choose(page, "user_type", "WORKSHOP")
    page.click("#next")
    page.wait_for_url("**/register/country")
    choose(page, "country", "HU")
    page.click("#next")
    page.wait_for_url("**/register/company")
    for name, value in TYPED.items():
        page.fill(f"#{name}", value)
    page.fill("#rep_first_name", "Péter")
    page.fill("#rep_last_name", "Kovács")
    page.click("#next")
    page.wait_for_url("**/register/access")
    page.fill("#contact_person", "Kovács Péter")
    page.fill("#email", "peter@kovacs-auto.hu")
    page.fill("#phone", "+36 1 234 5678")
    page.fill("#password", PASSWORD)
    page.check("#accept_terms")
    page.click("#next")
    page.wait_for_url("**/register/review")
    page.click("#send")
    page.wait_for_url("**/register/company")

    box = page.locator(".vat-mismatch")
    check_accessibility(page)  # axe, one h1, labels, nothing wider than the phone
    # One message: the blue box repeating the red one is gone.
    assert page.locator("main > p.notice").count() == 0 and box.count() == 1
    # The street differs only by its full stop: marked, and said in words.
    street = box.locator("tr[data-field=street]")
    assert street.locator(".registered mark.diff-mark").all_inner_texts() == ["."]
    assert street.locator("mark.diff-gap").count() == 1
    assert "„.” hiányzik" in street.inner_text()
    mark = street.locator("mark.diff-mark").bounding_box()
    assert mark and mark["width"] >= 5 and mark["height"] >= 10  # a box, not a speck
    # The name: the missing accents marked letter by letter.
    name = box.locator("tr[data-field=name]")
    assert name.locator(".registered mark.diff-mark").all_inner_texts() == list("áéáóíó")
    assert name.locator(".typed mark.diff-mark").all_inner_texts() == list("aeaoio")
    # Stacked: the field, VIES's text and the typed text one under the other, full width.
    cells = [street.locator(sel).bounding_box() for sel in ("th", "td >> nth=0", "td >> nth=1")]
    assert all(c is not None for c in cells)
    assert cells[0]["y"] + cells[0]["height"] <= cells[1]["y"] + 1
    assert cells[1]["y"] + cells[1]["height"] <= cells[2]["y"] + 1
    assert page.evaluate(BROKEN_WORDS) == []
    page.screenshot(path=str(site_artifact("mismatch-375.png")), full_page=True)

    page.click("text=A regisztrált adatok használata")
    page.wait_for_url("**/register/review")
    review = page.inner_text(".review")
    assert "Kovács és Társa Autójavító Kft." in review and "Váci út 22." in review
    page.click("#send")
    page.wait_for_url("**/status/**")
    assert mailbox.wait_for("peter@kovacs-auto.hu")


def site_artifact(name: str):  # type: ignore[no-untyped-def]
    from tests.browser.conftest import ARTIFACTS

    folder = ARTIFACTS / "mismatch-page"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
