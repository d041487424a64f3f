"""ASVS V3.4 / V7: caching behind a login, and links that stop working after a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.tokens import status_token
from tests.webapp.test_portal import WORKSHOP, applicant_client, make_applicant
from tests.workflows.helpers import make_registration


@pytest.mark.parametrize("path", ["/portal/", "/portal/account", "/portal/technical", "/"])
def test_pages_behind_the_login_are_never_cached(app, path: str) -> None:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_of_anonymous_visitors_may_be_cached(client) -> None:  # type: ignore[no-untyped-def]
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_console_login_pages_are_not_cached(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"


def _ended(app, days_ago: int) -> str:  # type: ignore[no-untyped-def]
    moment = datetime.now(UTC) - timedelta(days=days_ago)
    reg = make_registration(
        app, status="EXPIRED", open_email=None, decided_at=None, updated_at=moment
    )
    return status_token(app.config["SETTINGS"].secret_key, reg.id)


def test_status_and_restart_links_expire_30_days_after_the_end(app, client) -> None:  # type: ignore[no-untyped-def]
    old = _ended(app, 31)
    assert client.get(f"/status/{old}").status_code == 404
    assert client.get(f"/restart/{old}").status_code == 404
    recent = _ended(app, 29)
    assert client.get(f"/status/{recent}").status_code == 200
    assert client.get(f"/restart/{recent}").status_code == 200  # its button


def test_typed_markup_is_shown_as_text(client) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.conftest import VALID_FORM, csrf_token

    token = csrf_token(client, "/register/one-page?lang=en")
    form = {**VALID_FORM, "company_name": "<script>alert(1)</script>", "phone": "x"}
    page = client.post("/register/one-page", data={**form, "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


def test_no_cross_origin_access_is_granted(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_every_page_behind_a_login_offers_logout(app) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_portal import SCOPE_ROUTES, console_client

    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    for path, status, _moto in SCOPE_ROUTES:
        if status == 200:
            assert 'action="/logout"' in client.get(path).get_data(as_text=True), path
    admin = console_client(app, "admin@aos.test", "reviewer,support")
    for path in ("/admin/", "/admin/accounts", "/admin/support/"):
        assert 'action="/admin/logout"' in admin.get(path).get_data(as_text=True), path
