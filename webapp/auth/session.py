"""Who is logged in. A session holds the account id and its session version; bumping
the version (disable, password change) ends every session of that account at once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, session, url_for

from webapp.database import db
from webapp.models import Account

_KEYS = {"applicant": "account", "admin": "admin"}


def log_in(account: Account, role: str) -> None:
    session.pop(_KEYS[role], None)
    session[_KEYS[role]] = {"id": account.id, "v": account.session_version}


def log_out(role: str) -> None:
    session.pop(_KEYS[role], None)


def current(role: str) -> Account | None:
    cache_key = f"current_{role}"
    if cache_key not in g:
        data = session.get(_KEYS[role])
        account = db().get(Account, data["id"]) if data else None
        if account is None or not account.active or account.session_version != data["v"]:
            account = None
        elif role == "admin" and not account.is_admin:
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


def safe_next(default: str) -> str:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


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
