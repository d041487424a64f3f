"""Hungarian input forms (issue 25 item 3, item 8, item 2's field order): what a Hungarian
workshop types is accepted, and a refused value says exactly what to type."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from tests.webapp.conftest import VALID_FORM
from webapp.registration.forms import RegistrationForm


def _form(app, lang: str = "hu", **changes: str) -> RegistrationForm:  # type: ignore[no-untyped-def]
    data = MultiDict({**VALID_FORM, **changes})
    with app.test_request_context(f"/register/one-page?lang={lang}", method="POST", data=data):
        form = RegistrationForm(meta={"csrf": False}, ui_language=lang)
        form.validate()
        # Render the messages now, inside the request (they are lazy strings).
        form.messages = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return form


def test_the_eleven_digit_adoszam_is_the_kozossegi_adoszam(app) -> None:  # type: ignore[no-untyped-def]
    for typed in ("12345676-2-41", "12345676241", "HU12345676", "12345676"):
        form = _form(app, vat_number=typed)
        assert "vat_number" not in form.messages, (typed, form.messages)
        assert form.normalized_vat == "12345676"


def test_an_adoszam_with_a_wrong_check_digit_or_vat_code_is_explained(app) -> None:  # type: ignore[no-untyped-def]
    wrong_check = _form(app, vat_number="12345677-2-41").messages["vat_number"][0]
    assert "ellenőrző számjegy" in wrong_check
    wrong_code = _form(app, vat_number="12345676-9-41").messages["vat_number"][0]
    assert "12345676-2-41" in wrong_code and "12345676" in wrong_code
    assert wrong_code.startswith("Kérjük,")


def test_another_countrys_refused_number_shows_its_shape(app) -> None:  # type: ignore[no-untyped-def]
    message = _form(app, "en", country="NL", vat_number="12", postcode="1012 AB").messages
    assert "123456789B01" in message["vat_number"][0] and "NL" in message["vat_number"][0]


def test_a_national_phone_number_is_read_with_the_countrys_region(app) -> None:  # type: ignore[no-untyped-def]
    for typed in ("06 30 123 4567", "06301234567", "+36 30 123 4567", "0036 30 123 4567"):
        form = _form(app, phone=typed)
        assert "phone" not in form.messages, (typed, form.messages)
        assert form.normalized_phone == "+36 30 123 4567"
    german = _form(
        app, country="DE", vat_number="DE136695976", postcode="10115", phone="030 1234567"
    )
    assert german.normalized_phone == "+49 30 1234567"


def test_a_refused_phone_number_says_what_to_type(app) -> None:  # type: ignore[no-untyped-def]
    hu = _form(app, phone="1234").messages["phone"][0]
    assert "06 20 123 4567" in hu and "+36 20 123 4567" in hu and hu.startswith("Kérjük,")
    en = _form(app, "en", phone="12").messages["phone"][0]
    assert "as you dial it" in en


def test_postcodes_take_the_countrys_written_form(app) -> None:  # type: ignore[no-untyped-def]
    assert _form(app, postcode="H-1132").postcode.data == "1132"
    dutch = _form(app, country="NL", vat_number="NL004495445B01", postcode="1012ab")
    assert "postcode" not in dutch.messages and dutch.postcode.data == "1012 AB"
    swedish = _form(app, country="SE", vat_number="SE556188840401", postcode="11359")
    assert swedish.postcode.data == "113 59"
    refused = _form(app, postcode="113").messages["postcode"][0]
    assert refused == "Kérjük, az irányítószámot ebben a formában adja meg: 1234."
    billing = _form(
        app,
        billing_differs="y",
        billing_street="Fő utca 1.",
        billing_postcode="12",
        billing_city="Eger",
    ).messages["billing_postcode"][0]
    assert "1234" in billing


def test_typed_values_stay_in_the_refused_form(client) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.conftest import submit

    page = submit(client, phone="1234", postcode="113").get_data(as_text=True)
    assert 'value="1234"' in page and 'value="113"' in page
    assert "Kérjük, az irányítószámot ebben a formában adja meg: 1234." in page


def test_hungarian_form_asks_the_family_name_first(client) -> None:  # type: ignore[no-untyped-def]
    hu = client.get("/register/one-page?lang=hu").get_data(as_text=True)
    assert hu.index(">Vezetéknév</label>") < hu.index(">Keresztnév</label>")
    assert "<legend>Székhely</legend>" in hu
    en = client.get("/register/one-page?lang=en").get_data(as_text=True)
    assert en.index(">First name</label>") < en.index(">Last name</label>")


def test_user_type_is_two_radio_buttons_with_an_explanation(client) -> None:  # type: ignore[no-untyped-def]
    hu = client.get("/register/one-page?lang=hu").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', hu)
    assert len(radios) == 2 and all('name="user_type"' in r for r in radios)
    # The seed's English names, marked as English, beside a Hungarian explanation.
    assert '<span lang="en">Independent workshop/dealer</span>' in hu
    assert '<span lang="en">Independent Motorcycle workshop/Motorcycle dealers</span>' in hu
    assert "kizárólag BMW Motorrad motorkerékpárok" in hu
    assert "BMW és MINI személyautók" in hu
    page = client.get("/register/one-page?lang=en").get_data(as_text=True)
    assert "BMW Motorrad motorcycles only" in page


def test_the_wizard_asks_the_family_name_first_and_reviews_it_that_way(client) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_wizard import walk_to_review

    walk_to_review(client, rep_title="Dr")
    company = client.get("/register/company?lang=hu").get_data(as_text=True)
    assert company.index(">Vezetéknév</label>") < company.index(">Keresztnév</label>")
    assert "<legend>Székhely</legend>" in company
    assert "Dr. Kovács Péter" in client.get("/register/review?lang=hu").get_data(as_text=True)
    assert "Dr Péter Kovács" in client.get("/register/review?lang=en").get_data(as_text=True)


def test_english_dates_are_european(client) -> None:  # type: ignore[no-untyped-def]
    import re as _re

    page = client.get("/prices?lang=en").get_data(as_text=True)
    assert _re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September|"
                      r"October|November|December) \d{4}", page)  # fmt: skip
    assert not _re.search(r"(January|February|March|April|May|June|July|August|September|"
                          r"October|November|December) \d{1,2}, \d{4}", page)  # fmt: skip
