"""What a password must be: at least 12 characters, long ones welcome (up to 256), no
composition rules, not one of the most common passwords, and not made only of the words
everyone connects with this site (NIST SP 800-63B; ASVS 5.0 6.1.2, 6.2.11)."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Context-specific words (ASVS 6.1.2): a password made only of these, digits, spaces and
# punctuation is refused; a longer phrase that merely contains one is fine.
CONTEXT_WORDS = (
    "aftersales",
    "motorrad",
    "password",
    "jelszo",
    "jelszó",
    "portal",
    "portál",
    "online",
    "system",
    "rendszer",
    "mini",
    "bmw",
    "aos",
    "4thlevel",
)


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in _common()


def only_context_words(password: str) -> bool:
    lowered = rest = password.lower()
    for word in CONTEXT_WORDS:
        rest = rest.replace(word, "")
    return rest != lowered and len(re.sub(r"[\W\d_]+", "", rest)) < 4


def check_new_password(password: str) -> LazyString | None:
    """What is wrong with a new password, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return _l("The password must be at least 12 characters long.")
    if len(password) > MAX_LENGTH:
        return _l("The password can be at most 256 characters long.")
    if is_common(password):
        return _l("This password is one of the most common ones. Please choose another.")
    if only_context_words(password):
        return _l(
            "This password is made of words everyone connects with this site. Please choose "
            "another."
        )
    return None
