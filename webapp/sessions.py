"""Who is logged in. The signed cookie holds, per role, the id of a server-side session
record (webapp/auth/store.py); the record ties it to the account and its session version,
so bumping the version (disable, password change or reset) or ending the record (logout,
"Log out everywhere", the idle and absolute limits) ends the session at once, even for a
copy of the cookie taken earlier.

Logging in rotates the cookie: whatever the visitor had before (a registration draft, the
CSRF token) does not survive it; only the language and the other role's login stay.

Console logins have two steps: a correct password only opens a short-lived "pending
second factor" state; the console session itself exists once a TOTP code was accepted.
Applicants who turned on two-step login from their Account page log in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from time import time
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from core.models import Account
from webapp.auth import store
from webapp.database import db

_KEYS = {"applicant": "account", "admin": "admin"}
_PENDING = "admin_pending"
_PENDING_KEYS = {"admin": _PENDING, "applicant": "account_pending"}
# Between a correct password and the code: long enough to open an authenticator app.
SECOND_FACTOR_SECONDS = 300
_KEPT_AT_LOGIN = ("lang",)


def limits(role: str) -> tuple[int, int]:
    """(idle, absolute) seconds of a session of this role."""
    settings = current_app.config["SETTINGS"]
    if role == "admin":
        return settings.console_session_idle, settings.console_session_max
    return settings.portal_session_idle, settings.portal_session_max


def _rotate(role: str) -> None:
    """A fresh cookie: only the language and the other role's login carry over."""
    other = _KEYS["admin" if role == "applicant" else "applicant"]
    kept = {k: session[k] for k in (*_KEPT_AT_LOGIN, other) if k in session}
    session.clear()
    session.update(kept)


def _start(account: Account, role: str, mfa: bool) -> None:
    _rotate(role)
    token = store.start(
        db(),
        account_id=account.id,
        role=role,
        version=account.session_version,
        mfa=mfa,
        ip=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    session[_KEYS[role]] = {"sid": token}
    g.pop(f"current_{role}", None)


def log_in(account: Account, role: str) -> None:
    if role == "admin":
        # A console session without the second factor must not exist.
        raise ValueError("console logins go through complete_second_factor()")
    _start(account, role, mfa=False)


def session_token(role: str) -> str | None:
    data = session.get(_KEYS[role])
    token = data.get("sid") if isinstance(data, dict) else None
    return token if isinstance(token, str) else None


def log_out(role: str) -> None:
    token = session_token(role)
    if token:
        store.end(db(), token)
    session.pop(_KEYS[role], None)
    session.pop("csrf_token", None)  # the next form gets a fresh one
    session.pop(_PENDING_KEYS[role], None)
    g.pop(f"current_{role}", None)


def log_out_everywhere(account: Account) -> None:
    """End every session of the account, this one included, and any half-done login."""
    account.session_version = (account.session_version or 1) + 1
    db().commit()
    store.end_all(db(), account.id)
    log_out("admin" if account.is_admin else "applicant")


def begin_second_factor(account: Account, role: str = "admin") -> None:
    """The password was right: remember whose code the next page asks for."""
    session.pop(_KEYS[role], None)
    session[_PENDING_KEYS[role]] = {
        "id": account.id,
        "v": account.session_version,
        "at": int(time()),
    }


def pending_second_factor(role: str = "admin") -> Account | None:
    """The account that passed its password and still owes a code, if any."""
    data = session.get(_PENDING_KEYS[role])
    if not data:
        return None
    account = db().get(Account, data["id"])
    fresh = time() - data.get("at", 0) <= SECOND_FACTOR_SECONDS
    if (
        account is None
        or not fresh
        or not account.active
        or account.is_admin != (role == "admin")
        or account.session_version != data["v"]
    ):
        session.pop(_PENDING_KEYS[role], None)
        return None
    return account


def cancel_second_factor(role: str = "admin") -> None:
    session.pop(_PENDING_KEYS[role], None)


def complete_second_factor(account: Account, role: str = "admin") -> None:
    """The code was right: the session starts here and only here."""
    pending = session.pop(_PENDING_KEYS[role], None)
    if not pending or pending["id"] != account.id:
        raise ValueError("no second factor pending for this account")
    _start(account, role, mfa=True)


def mark_second_factor_done(role: str) -> None:
    """This session has just proved a code (TOTP enrolment from the Account page)."""
    record = current_record(role)
    if record is not None:
        record.mfa = True
        db().commit()
        g.pop(f"current_{role}", None)


def current_record(role: str) -> store.LoginSession | None:
    token = session_token(role)
    if not token:
        return None
    idle, absolute = limits(role)
    return store.find(db(), token, role, idle, absolute)


def current(role: str) -> Account | None:
    cache_key = f"current_{role}"
    if cache_key not in g:
        record = current_record(role)
        account = db().get(Account, record.account_id) if record else None
        if (
            record is None
            or account is None
            or not account.active
            or account.session_version != record.session_version
        ):
            account = None
        elif role == "admin" and not (
            account.is_admin and record.mfa and account.totp_enrolled_at is not None
        ):
            account = None
        elif role == "applicant" and account.totp_enrolled_at is not None and not record.mfa:
            account = None  # two-step login turned on since: this session lacks the code
        if account is None and _KEYS[role] in session:
            session.pop(_KEYS[role], None)  # a dead id: the cookie forgets it
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
