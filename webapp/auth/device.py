"""Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"; issue 24,
finding 3): strangers must not be able to lock a reviewer or an applicant out.

After a correct password the browser gets a signed cookie naming that account (by a keyed
hash of the address, not the address) and a random nonce. On the next login with such a
cookie, the failed-login throttle (webapp/auth/throttle.py) counts that device on its own:
the failures strangers pile up on the address lock only the browsers without a cookie, and
the owner's own browser goes on logging in. A device that guesses wrong itself is locked
like anyone (its own 5 tries). The cookie holds up to MAX_ACCOUNTS accounts (a shared
computer), lives a year, and is HttpOnly, SameSite=Lax, Secure and `__Host-` over HTTPS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

MAX_ACCOUNTS = 5
MAX_AGE = 365 * 86400
_SALT = "aos-device-cookie"


def _secret() -> str:
    return current_app.config["SETTINGS"].secret_key


def cookie_name() -> str:
    return "__Host-aos-device" if current_app.config["SESSION_COOKIE_SECURE"] else "aos-device"


def _tag(surface: str, email: str) -> str:
    """Which account (and which login: applicant or console) an entry is for."""
    text = f"{surface}|{email.strip().lower()}"
    return hmac.new(_secret().encode(), text.encode(), hashlib.sha256).hexdigest()[:24]


def _entries() -> list[list[str]]:
    raw = request.cookies.get(cookie_name(), "")
    if not raw:
        return []
    try:
        data = URLSafeSerializer(_secret(), salt=_SALT).loads(raw)
    except BadSignature:
        return []
    if not isinstance(data, list):
        return []
    return [
        e
        for e in data
        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
    ]


def nonce_for(surface: str, email: str) -> str | None:
    """This browser's nonce for the account, when it logged in to it before."""
    tag = _tag(surface, email)
    return next((nonce for entry_tag, nonce in _entries() if entry_tag == tag), None)


def throttle_key(surface: str, email: str) -> str:
    """The failed-login throttle's account key: the address for unknown browsers, the
    address and this device for a browser that logged in to it before."""
    nonce = nonce_for(surface, email)
    return f"{email}#device:{nonce}" if nonce else email


def remember(surface: str, email: str) -> None:
    """After a correct password: this browser is one of the account's devices."""
    tag = _tag(surface, email)
    nonce = nonce_for(surface, email) or secrets.token_urlsafe(16)
    others = [e for e in _entries() if e[0] != tag]
    entries = [[tag, nonce], *others][:MAX_ACCOUNTS]
    value = URLSafeSerializer(_secret(), salt=_SALT).dumps(entries)

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            cookie_name(),
            value,
            max_age=MAX_AGE,
            path="/",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response
