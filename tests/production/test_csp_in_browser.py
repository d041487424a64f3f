"""The Content-Security-Policy in a real browser (Debian's Chromium): the pages render, the
console reports no violation, the TOTP QR code shows and the Print buttons work without
inline script."""

from __future__ import annotations

from core.models import Account
from core.passwords import hash_password

PUBLIC_PAGES = [
    "/useful-information",
    "/",
    "/register/type",
    "/register/one-page",
    "/prices",
    "/help/",
    "/login",
    "/password/forgot",
    "/admin/login",
]
APPLICANT_PASSWORD = "Balaton partján 2026 tavasszal"
ADMIN_PASSWORD = "console password 123"


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda err: problems.append(str(err)))
    return problems


def _accounts(site) -> None:  # type: ignore[no-untyped-def]
    with site.app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email="anna@obol-motor.hu",
                role="applicant",
                user_type="WORKSHOP",
                company_name="ÖBÖL-MOTOR KFT.",
                password_hash=hash_password(APPLICANT_PASSWORD),
            )
        )
        session.add(
            Account(
                email="admin@aos.test",
                role="admin",
                roles="reviewer,support",
                password_hash=hash_password(ADMIN_PASSWORD),
            )
        )


def test_pages_render_under_the_policy_without_violations(site, page) -> None:  # type: ignore[no-untyped-def]
    problems = _watch(page)
    _accounts(site)
    for path in PUBLIC_PAGES:
        response = page.goto(f"{site.base}{path}?lang=en")
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The stylesheet applied: the page is laid out by style.css, not the browser default.
        assert page.evaluate("document.styleSheets.length") >= 1, path

    page.goto(f"{site.base}/login?lang=en")
    page.fill("#email", "anna@obol-motor.hu")
    page.fill("#password", APPLICANT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/portal/")
    page.goto(f"{site.base}/portal/first-steps")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.printed === true"), "the Print button's script did not run"

    page.goto(f"{site.base}/admin/login?lang=en")
    page.fill("#email", "admin@aos.test")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/admin/login/enrol")
    qr = page.locator(".qr svg")
    box = qr.bounding_box()
    assert box is not None and box["width"] > 80 and box["height"] > 80, box

    assert problems == []
