"""The portal behind the login: home, first steps, technical information by scope, account.

The helpers at the top (applicant and console accounts) serve the pricing, help and reset
tests too."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.models import Account
from core.passwords import hash_password
from tests.webapp.conftest import csrf_token
from tests.workflows.helpers import make_registration

PASSWORD = "applicant password 1"
WORKSHOP = "peter@kovacs-auto.hu"
MOTORCYCLE = "info@obol-motor.hu"
CONSOLE_PASSWORD = "console password 123"

_COMPANIES = {
    WORKSHOP: ("r" + "1" * 15, "WORKSHOP", "Kovács és Társa Autójavító Kft.", "12345676"),
    MOTORCYCLE: ("r" + "2" * 15, "MOTORCYCLE", "ÖBÖL-MOTOR KFT.", "38528084"),
}


def make_applicant(app: Flask, email: str, password: str = PASSWORD) -> int:
    """An activated applicant: the approved registration and the account it made."""
    reg_id, user_type, company, vat = _COMPANIES[email]
    make_registration(
        app,
        id=reg_id,
        user_type=user_type,
        vat_number=vat,
        company_name=company,
        billing_street="",
        billing_postcode="",
        billing_city="",
        email=email,
        password_hash=hash_password(password),
        status="APPROVED",
        open_email=None,  # approved: the registration has ended
    )
    with app.extensions["aos_sessions"].begin() as session:
        account = Account(
            email=email,
            role="applicant",
            password_hash=hash_password(password),
            company_name=company,
            user_type=user_type,
            registration_id=reg_id,
        )
        session.add(account)
        session.flush()
        return account.id


def log_in(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login?lang=en")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def applicant_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def console_client(app: Flask, email: str, roles: str) -> FlaskClient:
    """A console account with these duties, logged in through the console's own login."""
    from tests.webapp.test_admin_auth import console_login, make_console_account

    make_console_account(app, email, password=CONSOLE_PASSWORD, roles=roles)
    client = app.test_client()
    response = console_login(client, app, email, CONSOLE_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


# --- tests -------------------------------------------------------------------------------

CAR_ENTRY = "/portal/technical/car/bmw-g20-brake-pads-front"
MOTO_ENTRY = "/portal/technical/motorcycle/motorrad-r1250gs-valve-clearance"
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404

# path → expected answer for a workshop/dealer and for a motorcycle account.
SCOPE_ROUTES = [
    ("/portal/", OK, OK),
    ("/portal/first-steps", OK, OK),
    ("/portal/account", OK, OK),
    ("/portal/technical", OK, OK),
    ("/portal/technical/car", OK, FORBIDDEN),
    ("/portal/technical/motorcycle", OK, OK),
    (CAR_ENTRY, OK, FORBIDDEN),
    (MOTO_ENTRY, OK, OK),
    ("/portal/technical/truck", NOT_FOUND, NOT_FOUND),
    ("/portal/technical/car/no-such-entry", NOT_FOUND, NOT_FOUND),
    # An entry under the wrong category is not found: the URL cannot widen the scope.
    ("/portal/technical/motorcycle/bmw-g20-brake-pads-front", NOT_FOUND, NOT_FOUND),
]


@pytest.fixture
def workshop(app) -> FlaskClient:  # type: ignore[no-untyped-def]
    make_applicant(app, WORKSHOP)
    return applicant_client(app, WORKSHOP)


@pytest.fixture
def motorcycle(app) -> FlaskClient:  # type: ignore[no-untyped-def]
    make_applicant(app, MOTORCYCLE)
    return applicant_client(app, MOTORCYCLE)


def test_every_portal_route_needs_a_login(client):
    for path, *_ in SCOPE_ROUTES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def test_the_table_covers_every_portal_route(app):
    rules = {
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("portal.") and "GET" in (r.methods or ())
    }
    samples = {
        "/portal/technical/<category>": "/portal/technical/car",
        "/portal/technical/<category>/<entry_id>": CAR_ENTRY,
    }
    assert {samples.get(rule, rule) for rule in rules} <= {p for p, *_ in SCOPE_ROUTES}


@pytest.mark.parametrize(("path", "for_workshop", "for_motorcycle"), SCOPE_ROUTES)
def test_scope_route_by_route(workshop, motorcycle, path, for_workshop, for_motorcycle):
    assert workshop.get(path).status_code == for_workshop
    assert motorcycle.get(path).status_code == for_motorcycle


def test_every_catalogue_entry_is_enforced_on_the_server(workshop, motorcycle):
    from webapp.portal.catalogue import entries

    assert {e.category for e in entries()} == {"car", "motorcycle"}
    for entry in entries():
        path = f"/portal/technical/{entry.category}/{entry.id}"
        assert workshop.get(path).status_code == 200, path
        expected = 200 if entry.category == "motorcycle" else 403
        assert motorcycle.get(path).status_code == expected, path


def test_motorcycle_accounts_see_only_motorcycle_entries(motorcycle, workshop):
    page = motorcycle.get("/portal/technical?lang=en").get_data(as_text=True)
    assert "Valve clearance: check and adjust" in page
    assert "BMW Motorrad" in page
    assert "Front brake pads" not in page and "Cooper" not in page
    assert "/portal/technical/car" not in page
    everything = workshop.get("/portal/technical?lang=en").get_data(as_text=True)
    assert "Front brake pads" in everything and "Valve clearance" in everything
    refused = motorcycle.get(CAR_ENTRY + "?lang=en")
    assert "motorcycle information only" in refused.get_data(as_text=True)
    assert "Front brake pads" not in refused.get_data(as_text=True)


def test_home_shows_company_user_type_scope_and_menu(workshop, motorcycle):
    page = workshop.get("/portal/?lang=en").get_data(as_text=True)
    assert "Kovács és Társa Autójavító Kft." in page
    assert "Independent workshop/dealer" in page
    assert "Cars and motorcycles" in page
    for link in ('href="/portal/first-steps"', 'href="/portal/technical"', 'href="/prices"'):
        assert link in page
    assert 'href="/help/"' in page and 'href="/portal/account"' in page
    assert 'action="/logout"' in page
    moto = motorcycle.get("/portal/?lang=en").get_data(as_text=True)
    assert "Independent Motorcycle workshop/Motorcycle dealers" in moto
    assert "Motorcycles only" in moto


def test_navigation_on_every_page(client, workshop):
    public = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/prices"' in public and 'href="/help/"' in public
    assert 'href="/portal/"' not in public
    assert 'href="/portal/"' in workshop.get("/prices").get_data(as_text=True)
    login = client.get("/login?lang=en").get_data(as_text=True)
    assert 'href="/password/forgot"' in login and "Forgot your password?" in login


def test_first_steps_guide_in_both_languages_with_a_print_stylesheet(workshop):
    hu = workshop.get("/portal/first-steps?lang=hu").get_data(as_text=True)
    for term in ("Első lépések a portálon", "Árlista", "Súgó", "segítségkérő űrlap"):
        assert term in hu
    assert "4thlevel@bmw.hu" in hu
    en = workshop.get("/portal/first-steps?lang=en").get_data(as_text=True)
    assert "First steps on the portal" in en and "Buying access" in en
    assert "Árlista" not in en
    for page in (hu, en):
        assert 'media="print" href="/static/print.css"' in page
        assert 'href="/prices"' in page and 'href="/help/"' in page
    stylesheet = workshop.get("/static/print.css")
    assert stylesheet.status_code == 200 and b"@page" in stylesheet.data
    stylesheet.close()


def test_password_change_needs_the_current_one_and_ends_other_sessions(app, workshop):
    other = applicant_client(app, WORKSHOP)
    new = "a brand new password"

    def change(current: str, confirm: str = new):  # type: ignore[no-untyped-def]
        token = csrf_token(workshop, "/portal/account?lang=en")
        data = {"current_password": current, "new_password": new, "confirm_password": confirm}
        return workshop.post("/portal/account", data={**data, "csrf_token": token})

    wrong = change("not my password")
    assert wrong.status_code == 400
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    assert change(PASSWORD, confirm="something else").status_code == 400
    assert other.get("/portal/").status_code == 200  # nothing changed yet

    assert change(PASSWORD).status_code == 302
    assert workshop.get("/portal/").status_code == 200  # this session goes on
    assert other.get("/portal/").status_code == 302  # the other one has ended
    assert log_in(app.test_client(), WORKSHOP, PASSWORD).status_code == 401
    assert log_in(app.test_client(), WORKSHOP, new).status_code == 302


def test_logout_is_a_post(workshop):
    assert workshop.get("/logout").status_code == 405
    token = csrf_token(workshop, "/portal/account")
    assert workshop.post("/logout", data={"csrf_token": token}).status_code == 302
    assert workshop.get("/portal/").status_code == 302
