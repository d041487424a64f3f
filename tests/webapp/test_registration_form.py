"""The registration form: labels, validation that keeps input, CSRF, duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Registration
from tests.webapp.conftest import VALID_FORM, csrf_token, submit


def _count(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(Registration))


def test_english_form_has_the_stable_labels_and_button(client):
    page = client.get("/register/one-page?lang=en").get_data(as_text=True)
    # The user type is a group of two radio buttons: its label is the group's legend.
    assert ">User type</legend>" in page
    assert page.count('type="radio" name="user_type"') == 2 or page.count('name="user_type"') == 2
    for label in (
        "Country",
        "Company name",
        "VAT number",
        "Street and house number",
        "Postcode",
        "City",
        "Email",
        "Password",
    ):
        assert f">{label}</label>" in page, label
    assert ">Send Registration</button>" in page
    assert "4thlevel@bmw.hu" in page
    assert "Independent Motorcycle workshop/Motorcycle dealers" in page


def test_every_input_has_a_label(client):
    import re

    page = client.get("/register/one-page?lang=en").get_data(as_text=True)
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page)
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert [i for i in ids if i != "csrf_token" and i not in labelled] == []


def test_hungarian_is_the_default_and_hungary_preselected(client):
    page = client.get("/register/one-page").get_data(as_text=True)
    assert '<html lang="hu">' in page
    assert '<option selected value="HU">' in page


def test_language_choice_is_remembered(client):
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/register/one-page").get_data(as_text=True)


def test_bad_input_keeps_what_was_typed_and_says_what_to_fix(client, app):
    response = submit(client, lang="en", vat_number="HU12345678", password="short")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "check digit does not fit" in page
    assert "at least 12 characters" in page
    assert 'value="Kovács és Társa Autójavító Kft."' in page
    assert 'value="Váci út 22."' in page
    assert "short" not in page.split("<form", 1)[1]  # the password is not echoed
    assert _count(app) == 0


def test_email_and_phone_are_checked(client):
    response = submit(client, lang="en", email="not-an-email", phone="06 1 234 5678")
    page = response.get_data(as_text=True)
    assert "valid email address" in page
    assert "country code" in page


def test_vat_number_of_another_country_is_refused_before_any_vies_call(client, vies):
    import httpx

    submit(client, lang="en", vat_number="DE535883162")
    assert httpx.get(f"{vies}/_control/calls").json()["calls"] == 0


def test_csrf_is_enforced(app_env, make_app):
    app = make_app({**app_env})
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/register/one-page", data=VALID_FORM)
    assert response.status_code == 400
    assert _count(app) == 0
    assert client.post("/login", data={"email": "a@b.c", "password": "x"}).status_code == 400


def test_form_token_is_present(client):
    assert csrf_token(client, "/register/one-page")
