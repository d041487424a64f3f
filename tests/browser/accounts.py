"""Accounts made straight in the database, and logging in with them in the browser."""

from __future__ import annotations

from webapp.models import Account
from webapp.passwords import hash_password

APPLICANT_EMAIL = "anna@obol-motor.hu"
APPLICANT_PASSWORD = "Balaton partján 2026 tavasszal"


def login_applicant(site, page, user_type: str = "WORKSHOP") -> None:  # type: ignore[no-untyped-def]
    """An activated account of `user_type`, logged in: the page ends on the portal."""
    with site.app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email=APPLICANT_EMAIL,
                role="applicant",
                user_type=user_type,
                company_name="ÖBÖL-MOTOR KFT.",
                password_hash=hash_password(APPLICANT_PASSWORD),
            )
        )
    page.goto(f"{site.base}/login")
    page.fill("#email", APPLICANT_EMAIL)
    page.fill("#password", APPLICANT_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_url("**/portal/")
