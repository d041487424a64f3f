"""ASVS V6.2: password rules (NIST SP 800-63B): length, no composition rules, checked
exactly as typed, common passwords refused."""

from __future__ import annotations

import pytest

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
