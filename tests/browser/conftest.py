"""Browser tests: Debian's Chromium driven by Playwright, against the real app served over
HTTP, a real `temporal server start-dev`, the real worker, SMTP and the VIES stand-in.

Chromium comes from Debian (`apt-get install chromium`, done by `make test`); Playwright's own
browser download is never used. Screenshots of every step go to test-artifacts/."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_env
from tests.e2e.test_end_to_end import free_port
from tests.webapp.conftest import loop_thread, running_worker, temporal_address  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


# Module scope: Playwright's sync API keeps an event loop running in the main thread while
# it is open, which the asyncio tests of other folders must not find still running.
@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
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


class Site:
    """The portal served on a real port, with its worker."""

    def __init__(self, app, base: str) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.base = base


@pytest.fixture
def site_factory(clean_db, mailbox, vies, temporal_address, running_worker, make_app):  # type: ignore[no-untyped-def]  # noqa: F811
    servers = []

    def build(**env: str) -> Site:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        app = make_app(
            {
                **make_env(clean_db, mailbox.port, vies),
                "TEMPORAL_ADDRESS": temporal_address,
                "PUBLIC_BASE_URL": base,
                **env,
            }
        )
        app.config["TESTING"] = False  # behave as served: real error pages
        running_worker(app)
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return Site(app, base)

    yield build
    for server in servers:
        server.shutdown()


@pytest.fixture
def site(site_factory) -> Site:  # type: ignore[no-untyped-def]
    return site_factory()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="hu-HU")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


class Shots:
    """Numbered screenshots of a test's steps, kept as artifacts."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, label: str) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)


@pytest.fixture
def shots(request) -> Iterator[Shots]:  # type: ignore[no-untyped-def]
    yield Shots(request.node.name)


def check_accessibility(page) -> None:  # type: ignore[no-untyped-def]
    """Basic checks on the page as rendered: lang set, one h1, every input labelled, and no
    serious or critical axe-core finding (the full audit: tests/browser/audit.py)."""
    from tests.browser.audit import serious_violations

    assert serious_violations(page) == [], page.url
    problems = page.evaluate(
        """() => {
        const out = [];
        if (!document.documentElement.lang) out.push('no lang on <html>');
        const h1 = document.querySelectorAll('h1').length;
        if (h1 !== 1) out.push(`${h1} h1 elements`);
        for (const el of document.querySelectorAll('input, select, textarea')) {
          if (el.type === 'hidden' || el.tabIndex < 0 || el.closest('[aria-hidden=true]')) continue;
          if (el.getAttribute('aria-label')) continue;
          const label = el.id && document.querySelector(`label[for="${el.id}"]`);
          if (!label && !el.closest('label')) out.push(`unlabelled ${el.name || el.id}`);
        }
        if (document.scrollingElement.scrollWidth > window.innerWidth + 1)
          out.push('wider than the screen');
        return out;
    }"""
    )
    assert problems == [], f"{page.url}: {problems}"
