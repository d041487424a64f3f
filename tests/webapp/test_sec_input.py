"""ASVS V2 / V1.2: bad characters are refused with a 400 page before any view runs.

Run with TEST_DATABASE_URL on PostgreSQL too: there a NUL byte reaching a query was a 500."""

from __future__ import annotations

import pytest

from tests.webapp.conftest import VALID_FORM, csrf_token
from tests.webapp.test_portal import console_client

NUL, BELL = "\x00", "\x07"
REFUSED = "A kérést nem tudtuk értelmezni"  # the 400 page's heading in Hungarian


def refused(response) -> bool:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True)
    return response.status_code == 400 and (REFUSED in page or "could not be read" in page)


def _post(client, path: str, data: dict[str, str], lang: str = "hu"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"{path}?lang={lang}")
    return client.post(path, data={**data, "csrf_token": token})


@pytest.mark.parametrize("bad", [NUL, BELL, "\x1b"])
def test_login_refuses_control_characters_with_a_400_page_in_hungarian(client, bad: str) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/login", {"email": f"a{bad}@b.hu", "password": "x"})
    assert response.status_code == 400
    assert "A kérést nem tudtuk értelmezni" in response.get_data(as_text=True)


def test_the_400_page_speaks_english_when_asked(client) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/login", {"email": "a@b.hu", "password": f"x{NUL}"}, lang="en")
    assert response.status_code == 400
    assert "The request could not be read" in response.get_data(as_text=True)


def test_registration_with_a_nul_byte_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/register/one-page", {**VALID_FORM, "city": f"Buda{NUL}pest"})
    assert refused(response)


def test_help_form_with_a_nul_byte_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/help/")
    assert page.status_code == 200
    response = client.post(
        "/help/new/login", data={"message": f"hello{NUL}", "email": "a@b.hu", "name": "A"}
    )
    assert refused(response)


def test_console_search_with_a_nul_byte_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    admin = console_client(app, "admin@aos.test", "reviewer,support")
    assert refused(admin.get("/admin/?q=a%00b"))
    assert refused(admin.get("/admin/accounts?q=a%00b"))
    assert admin.get("/admin/?q=kov%C3%A1cs").status_code == 200


# An unpaired surrogate (U+D800 as UTF-8 bytes, percent-encoded or raw) and other bytes
# that are not UTF-8.
@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"\xed\xa0\x80", b"%FF", b"%C3"])
def test_unpaired_surrogates_and_invalid_utf8_are_refused(client, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    query = {"QUERY_STRING": (b"lang=" + raw).decode("latin-1")}  # WSGI: bytes as latin-1
    assert client.get("/", environ_overrides=query).status_code == 400
    response = client.post(
        "/login", data=b"email=" + raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_path_with_nul_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    assert refused(client.get("/status/abc%00def"))


def test_newlines_stay_allowed_in_free_text(client) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/login", {"email": "a@b.hu", "password": "line\r\nline\tx"})
    assert response.status_code == 401


@pytest.mark.parametrize("bidi", ["\u202e", "\u2066", "\u202a"])
@pytest.mark.parametrize("field", ["company_name", "street", "city", "rep_last_name"])
def test_bidi_overrides_are_refused_in_names_and_addresses(client, bidi: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/register/one-page", {**VALID_FORM, field: f"Kft{bidi}.tfK"}, "en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "changes the direction of the text" in page
    assert "tfK" in page  # the form keeps what was typed
