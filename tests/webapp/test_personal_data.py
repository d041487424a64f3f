"""Download my data, Close my account, and the privacy notice, through the web app."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask

from core.models import Account, Registration
from tests.webapp.conftest import csrf_token
from tests.webapp.test_portal import (
    WORKSHOP,
    applicant_client,
    console_client,
    log_in,
    make_applicant,
)
from tests.webapp.test_sec_export import confirm_identity
from tests.workflows.helpers import add_corrected_round


def _close(client, password: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/portal/account/close?lang={lang}")
    return client.post("/portal/account/close", data={"password": password, "csrf_token": token})


def test_the_account_page_title_is_its_name_and_each_section_shows_once(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    page = client.get("/portal/account?lang=en").get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Account ·") and "<" not in title
    for heading in ("Your data", "Close my account", "Two-step login", "Log out"):
        assert page.count(f"<h2>{heading}</h2>") == 1, heading


def test_download_my_data_has_the_registration_and_no_secrets(app: Flask) -> None:
    account_id = make_applicant(app, WORKSHOP)
    with app.extensions["aos_sessions"].begin() as session:
        session.get(Account, account_id).totp_secret = "JBSWY3DPEHPK3PXP"
    client = applicant_client(app, WORKSHOP)
    page = client.get("/portal/account?lang=en").get_data(as_text=True)
    assert "Download my data" in page and "Close my account" in page

    # Finding 1b of issue 24: the password again first, then the file.
    asked = client.get("/portal/account/my-data")
    assert asked.status_code == 302 and asked.headers["Location"].startswith(
        "/portal/account/confirm?next=/portal/account/my-data"
    )
    confirm_identity(client)
    response = client.get("/portal/account/my-data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == WORKSHOP
    [reg] = data["registrations"]
    assert reg["company_name"] == "Kovács és Társa Autójavító Kft."
    assert reg["vat_number"] == "12345676"
    for name in ("street", "postcode", "city", "rep_first_name", "rep_last_name", "phone"):
        assert reg[name], name
    # Where the account is logged in (this very session), without the session's secret.
    assert data["login_sessions"] and "token_hash" not in data["login_sessions"][0]
    text = response.get_data(as_text=True)
    assert "password_hash" not in text and "$argon2" not in text
    assert "totp_secret" not in text and "JBSWY3DPEHPK3PXP" not in text


def test_download_my_data_has_the_rounds_of_changes(app: Flask) -> None:
    account_id = make_applicant(app, WORKSHOP)
    with app.extensions["aos_sessions"]() as session:
        reg_id = session.get(Account, account_id).registration_id
    add_corrected_round(
        app, reg_id, "Your phone number has a digit missing.", datetime(2026, 12, 8, tzinfo=UTC)
    )
    client = applicant_client(app, WORKSHOP)
    confirm_identity(client)
    data = client.get("/portal/account/my-data").get_json()
    [asked] = data["change_requests"]
    assert asked["message"] == "Your phone number has a digit missing."
    assert asked["before"] == {"phone": "+36 1 234 567"}
    assert asked["after"] == {"phone": "+36 1 234 5678"}
    [sent] = data["corrections_sent"]
    assert sent["values"] == {"phone": "+36 1 234 5678"} and sent["outcome"] == "accepted"


def test_download_needs_the_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/portal/account/my-data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_close_my_account_needs_the_password_and_then_ends_every_session(app: Flask) -> None:
    account_id = make_applicant(app, WORKSHOP)
    first = applicant_client(app, WORKSHOP)
    other = applicant_client(app, WORKSHOP)  # another browser, still logged in

    wrong = _close(first, "not my password")
    assert wrong.status_code == 400
    assert "The password is not correct." in wrong.get_data(as_text=True)
    assert other.get("/portal/").status_code == 200

    closed = _close(first, "applicant password 1")
    assert closed.status_code == 302
    landing = first.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Your account is closed" in landing and "90 days" in landing
    # Every session ended at once, and the login is refused with a plain reason.
    assert other.get("/portal/").status_code == 302
    assert first.get("/portal/").status_code == 302
    refused = log_in(app.test_client(), WORKSHOP)
    assert refused.status_code == 403
    assert "This account has been closed." in refused.get_data(as_text=True)
    with app.extensions["aos_sessions"]() as session:
        account = session.get(Account, account_id)
        assert not account.active and account.closed_at is not None
        # Erased only after the retention period, by the schedule.
        assert session.get(Registration, account.registration_id).email == WORKSHOP


def test_close_in_hungarian_says_what_is_missing(app: Flask) -> None:
    make_applicant(app, WORKSHOP)
    client = applicant_client(app, WORKSHOP)
    page = client.get("/portal/account/close?lang=hu").get_data(as_text=True)
    assert "Fiók megszüntetése" in page and "90 nap" in page
    response = _close(client, "", lang="hu")
    assert response.status_code == 400
    assert "Kérjük, töltse ki ezt a mezőt." in response.get_data(as_text=True)


def test_the_console_lists_the_closed_account(app: Flask) -> None:
    account_id = make_applicant(app, WORKSHOP)
    assert _close(applicant_client(app, WORKSHOP), "applicant password 1").status_code == 302
    console = console_client(app, "support@aos.test", roles="support")
    page = console.get("/admin/accounts?state=closed&lang=en").get_data(as_text=True)
    assert WORKSHOP in page and "Closed" in page
    assert "Re-enable" not in page  # its owner closed it
    active = console.get("/admin/accounts?state=active&lang=en").get_data(as_text=True)
    assert 'id="accounts"' not in active  # no row: the closed account is not active
    log = console.get("/admin/accounts?lang=en").get_data(as_text=True)
    assert "Account closed by its owner" in log
    # Posting the re-enable anyway changes nothing, and says why.
    token = csrf_token(console, "/admin/accounts?lang=en")
    answer = console.post(f"/admin/accounts/{account_id}/enable", data={"csrf_token": token})
    assert answer.status_code == 302
    page = console.get(answer.headers["Location"]).get_data(as_text=True)
    assert "closed by its owner; it cannot be re-enabled" in page
    with app.extensions["aos_sessions"]() as session:
        assert not session.get(Account, account_id).active


def test_privacy_notice_in_both_languages_with_the_configured_figures(
    make_app, app_env: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "PERSONAL_DATA_RETENTION": "30d", "CONFIRMATION_WINDOW": "36h"})
    client = app.test_client()
    hu = client.get("/privacy?lang=hu").get_data(as_text=True)
    assert "Adatkezelési tájékoztató" in hu and "30 nap" in hu and "36 óra" in hu
    assert "VIES" in hu and "NAIH" in hu and "4thlevel@bmw.hu" in hu
    en = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Privacy notice" in en and "30 days" in en and "36 hours" in en
    assert "Accounting" in en  # what the law makes us keep, and why
    # Linked from the registration form and from every page's footer.
    form = client.get("/register/one-page?lang=en").get_data(as_text=True)
    assert form.count('href="/privacy"') >= 2
    assert 'href="/privacy"' in client.get("/login?lang=en").get_data(as_text=True)
