"""One page audit: axe-core (WCAG 2.0/2.1/2.2 A and AA rules), the page's language, no
horizontal scrolling at 375 px, and screenshots at 375 px and 1280 px kept in test-artifacts/.

Problems are collected, not raised at once, so one run names every page that fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
PHONE, DESKTOP = 375, 1280
AXE = Axe()  # axe-core as shipped in the wheel: nothing is downloaded at run time


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical WCAG A/AA findings on the page as it is now."""
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    ).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
            found.append(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {targets[:5]}"
            )
    return found


class Audit:
    def __init__(self, name: str, lang: str) -> None:
        self.lang = lang
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0
        self.problems: list[str] = []
        self.pages: list[str] = []

    def __call__(self, page, label: str) -> None:  # type: ignore[no-untyped-def]
        """Audit the page as it is now (after a navigation or a failed submit)."""
        self.count += 1
        where = f"{label} ({page.url})"
        self.pages.append(label)
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.lang:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.lang!r}")
        self.problems += [f"{where}: {found}" for found in serious_violations(page)]
        original = page.viewport_size
        safe = re.sub(r"[^\w.-]+", "_", label)
        stem = f"{self.count:02d}-{safe}"
        try:
            for width in (DESKTOP, PHONE):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(self.folder / f"{stem}-{width}.png"), full_page=True)
            wide = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth, "
                "[...document.querySelectorAll('body *')].filter(e => "
                "e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3)"
                ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)]"
            )
            if wide[0] > wide[1]:
                self.problems.append(f"{where}: {wide[0]} px wide at {PHONE} px: {wide[2]}")
        finally:
            page.set_viewport_size(original)

    def check(self) -> None:
        assert self.problems == [], "\n".join(self.problems)
