"""The "First steps on the portal" guide printed on A4: with print media and a viewport as wide
as A4's printable width (print.css margins), nothing is wider than the paper, so no text is
cut; the PDF Chromium prints is kept in test-artifacts/ to look at."""

from __future__ import annotations

import pytest

from tests.browser.accounts import login_applicant
from tests.browser.audit import ARTIFACTS

MM = 96 / 25.4  # CSS pixels per millimetre
A4_CONTENT_WIDTH = round((210 - 2 * 16) * MM)  # print.css: @page { margin: 18mm 16mm }

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.innerText || '').slice(0, 30);
    if (box.right > width + 1 || box.left < -1) out.push('outside: ' + name);
    else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      out.push('clipped: ' + name);
  }
  return [document.documentElement.scrollWidth, width, out.slice(0, 10)];
}"""


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_first_steps_guide_fits_a4(site, page, lang):  # type: ignore[no-untyped-def]
    login_applicant(site, page)
    page.goto(f"{site.base}/portal/first-steps?lang={lang}")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    assert not page.is_visible("header.top") and not page.is_visible("button[data-print]")
    scroll_width, width, problems = page.evaluate(OVERFLOW)
    assert problems == [] and scroll_width <= width, (scroll_width, width, problems)

    folder = ARTIFACTS / "print"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(folder / f"first-steps-{lang}.pdf"), format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
