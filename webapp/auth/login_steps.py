"""The two steps of a login, shared by the applicant's login (webapp/auth/views.py,
webapp/auth/two_step.py) and the console's (webapp/admin/auth_views.py): the password step
and the authenticator-code step, each behind the failed-login throttle
(webapp/auth/throttle.py). What the role does after each step stays in its own view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core.models import Account
from webapp.auth import device, throttle
from webapp.auth.forms import LoginForm
from webapp.sessions import current, safe_next

PageResult = str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]
Found = TypeVar("Found")


def next_args() -> dict[str, str]:
    """Carry a safe ?next= through the login steps."""
    target = safe_next("")
    return {"next": target} if target else {}


def generic_error() -> str:
    """The one answer to an unknown address and to a wrong password alike."""
    return _("The email address or the password is not correct.")


def password_step(
    template: str, surface: str, check: Callable[[str, str], Found | None]
) -> Callable[[Callable[[LoginForm, Found], PageResult]], Callable[[], PageResult]]:
    """A login view's password step, around the view: the login form invalid (400), refused
    by the throttle of `surface` (429), or a wrong password (401, the generic error) answer
    with `template`. `check(email, password)` gives what the password opens, None when it is
    wrong; after a right one the throttle forgets the failures of the address (or of this
    device, webapp/auth/device.py), the browser is remembered as a device, and the view is
    called with the form and what `check` gave, so whatever the role says next is said only
    after a correct password."""

    def decorator(view: Callable[[LoginForm, Found], PageResult]) -> Callable[[], PageResult]:
        @wraps(view)
        def login() -> PageResult:
            form = LoginForm()
            if not form.validate_on_submit():
                return render_template(template, form=form), (400 if form.errors else 200)
            email = form.email.data.strip().lower()
            # A browser that logged in to this account before is counted on its own, so
            # strangers' failures do not lock the owner out (webapp/auth/device.py).
            attempt = throttle.begin(surface, device.throttle_key(surface, email))
            if attempt.refused:
                assert attempt.wait is not None
                return throttle.refusal(template, attempt.wait, form=form)
            found = check(email, form.password.data)
            if found is None:
                return render_template(template, form=form, error=generic_error()), 401
            attempt.succeeded()
            device.remember(surface, email)
            return view(form, found)

        return login

    return decorator


def code_step(
    account: Account,
    role: str,
    template: str,
    form: FlaskForm,
    accept: Callable[[str], Response | str],
    **context: object,
) -> PageResult:
    """The authenticator-code page of `account`, which passed its password. A sent code goes
    through the "totp" throttle (429 when refused), then `accept(code)`: a Response ends the
    step (logged in, or sent back to the password by the lock), a str is the error to show
    again (401). The throttle forgets the failures once `role` is logged in."""
    error = None
    if form.validate_on_submit():
        attempt = throttle.begin("totp", account.email)
        if attempt.refused:
            assert attempt.wait is not None
            return throttle.refusal(template, attempt.wait, form=form, **context)
        result = accept(form.code.data)
        if isinstance(result, Response):
            if current(role) is not None:  # logged in, not sent back by the lock
                attempt.succeeded()
            return result
        error = result
    return render_template(template, form=form, error=error, **context), (401 if error else 200)
