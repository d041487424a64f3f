"""What a password must be: at least 12 characters, long ones welcome (up to 256), no
composition rules, and not one of the most common passwords (NIST SP 800-63B)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in _common()


def check_new_password(password: str) -> LazyString | None:
    """What is wrong with a new password, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return _l("The password must be at least 12 characters long.")
    if len(password) > MAX_LENGTH:
        return _l("The password can be at most 256 characters long.")
    if is_common(password):
        return _l("This password is one of the most common ones. Please choose another.")
    return None
