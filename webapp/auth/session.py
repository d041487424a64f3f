"""Who is logged in. A session holds the account id and its session version; bumping
the version (disable, password change) ends every session of that account at once.

Console logins have two steps: a correct password only opens a short-lived "pending
second factor" state; the console session itself exists once a TOTP code was accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from time import time
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from webapp.database import db
from webapp.models import Account

_KEYS = {"applicant": "account", "admin": "admin"}
_PENDING = "admin_pending"
# Between a correct password and the code: long enough to open an authenticator app.
SECOND_FACTOR_SECONDS = 300


def log_in(account: Account, role: str) -> None:
    if role == "admin":
        # A console session without the second factor must not exist.
        raise ValueError("console logins go through complete_second_factor()")
    session.pop(_KEYS[role], None)
    session[_KEYS[role]] = {"id": account.id, "v": account.session_version}


def log_out(role: str) -> None:
    session.pop(_KEYS[role], None)
    if role == "admin":
        session.pop(_PENDING, None)


def begin_second_factor(account: Account) -> None:
    """The password was right: remember whose code the next page asks for."""
    session.pop(_KEYS["admin"], None)
    session[_PENDING] = {"id": account.id, "v": account.session_version, "at": int(time())}


def pending_second_factor() -> Account | None:
    """The console account that passed its password and still owes a code, if any."""
    data = session.get(_PENDING)
    if not data:
        return None
    account = db().get(Account, data["id"])
    fresh = time() - data.get("at", 0) <= SECOND_FACTOR_SECONDS
    if (
        account is None
        or not fresh
        or not account.active
        or not account.is_admin
        or account.session_version != data["v"]
    ):
        session.pop(_PENDING, None)
        return None
    return account


def cancel_second_factor() -> None:
    session.pop(_PENDING, None)


def complete_second_factor(account: Account) -> None:
    """The code was right: the console session starts here and only here."""
    pending = session.pop(_PENDING, None)
    if not pending or pending["id"] != account.id:
        raise ValueError("no second factor pending for this account")
    session[_KEYS["admin"]] = {"id": account.id, "v": account.session_version, "mfa": True}
    g.pop("current_admin", None)


def current(role: str) -> Account | None:
    cache_key = f"current_{role}"
    if cache_key not in g:
        data = session.get(_KEYS[role])
        account = db().get(Account, data["id"]) if data else None
        if account is None or not account.active or account.session_version != data["v"]:
            account = None
        elif role == "admin" and not (
            account.is_admin and data.get("mfa") and account.totp_enrolled_at is not None
        ):
            account = None
        setattr(g, cache_key, account)
    return getattr(g, cache_key)


def login_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current(role) is None:
                if request.method != "GET":
                    abort(403)
                endpoint = "admin.login" if role == "admin" else "auth.login"
                return redirect(url_for(endpoint, next=request.path))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_local_path(target: str) -> bool:
    """A path of this site only: no scheme or host, no leading "//" or "/\\" (browsers read
    both as another host), no control character or white space anywhere (browsers drop tabs
    and newlines, so "/%09/evil.com" would become "//evil.com")."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(default: str) -> str:
    """?next= when it is a local path (after the one decoding the query string had), else
    the default page."""
    target = request.args.get("next", "")
    return target if is_local_path(target) else default


CONSOLE_ROLES = ("reviewer", "support")


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A console route for one duty: anonymous visitors go to the console login, applicants
    and console accounts without the role get 403."""
    assert role in CONSOLE_ROLES

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            account = current("admin")
            if account is None:
                if request.method != "GET":
                    abort(403)
                return redirect(url_for("admin.login", next=request.path))
            if not account.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
