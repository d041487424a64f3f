"""ASVS V6.2: password rules (NIST SP 800-63B): length, no composition rules, checked
exactly as typed, common passwords refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from webapp.db import create_schema, make_engine
from webapp.password_policy import check_new_password
from webapp.passwords import hash_password, verify_password


@pytest.mark.parametrize(
    "password",
    ["a" * 12 + "b", "x" * 64, "y" * 256, "árvíztűrő tükörfúrógép", "🔑 " * 6, "no rules at all"],
)
def test_long_passphrases_of_any_composition_are_accepted(password: str) -> None:
    assert check_new_password(password) is None


@pytest.mark.parametrize("password", ["short pw", "x" * 257, "q1w2e3r4t5y6", "1QAZ2WSX3EDC"])
def test_short_overlong_and_common_passwords_are_refused(password: str) -> None:
    assert check_new_password(password) is not None


def test_passwords_are_checked_exactly_as_typed() -> None:
    stored = hash_password("Correct Horse Battery Staple " + "z" * 100)
    assert verify_password(stored, "Correct Horse Battery Staple " + "z" * 100)
    assert not verify_password(stored, "correct horse battery staple " + "z" * 100)  # case
    assert not verify_password(stored, "Correct Horse Battery Staple " + "z" * 99)  # truncation
    assert hash_password("x" * 20).startswith("$argon2id$")


@pytest.mark.parametrize(
    "password", ["BMW AOS portal 2026", "mini-aftersales-jelszó!", "Aos4thlevel2026"]
)
def test_passwords_of_context_words_only_are_refused(password: str) -> None:
    assert check_new_password(password) is not None


def test_a_phrase_that_merely_contains_a_context_word_is_fine() -> None:
    assert check_new_password("our BMW workshop in Győr since 1998") is None


@pytest.mark.parametrize(
    "path", ["/login", "/admin/login", "/register/one-page", "/password/forgot"]
)
def test_password_fields_are_masked_and_pasting_is_allowed(client, path: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*password[^>]*>", page):
        assert 'type="password"' in tag, tag
    assert "onpaste" not in page and 'autocomplete="off"' not in page


def test_a_new_database_has_no_default_accounts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    create_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM accounts")).scalar() == 0
    engine.dispose()
