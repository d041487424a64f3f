"""The TOTP secret being enrolled (issue 24, findings 1c and 6), for the applicant's
`/portal/account/two-step` and the console's `/admin/login/enrol` alike.

Each GET of an enrolment page makes a fresh secret and keeps it only in the signed session
of the browser that opened it; a POST checks the code against that one and only then stores
it on the account (webapp/admin/totp.py does the check). A GET stores nothing: a page opened
by someone else (a borrowed session, a link preloaded) leaves a secret that is never used.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import session
from sqlalchemy.orm import Session

from core.models import Account
from webapp.admin import totp

_KEY = "totp_enrolment"


def fresh_secret(role: str, account: Account) -> dict[str, str]:
    """A new secret for this browser's page of `account`; what the page shows."""
    secret = totp.new_secret()
    session[_KEY] = {"r": role, "a": account.id, "s": secret}
    return totp.enrolment(account.email, secret)


def held_secret(role: str, account: Account) -> str | None:
    """The secret this browser's enrolment page showed for `account`, if any."""
    data = session.get(_KEY)
    if not isinstance(data, dict) or data.get("r") != role or data.get("a") != account.id:
        return None
    secret = data.get("s")
    return secret if isinstance(secret, str) else None


def shown_again(role: str, account: Account) -> dict[str, str] | None:
    """The page again after a wrong code: the same secret, so an app set up stays valid."""
    secret = held_secret(role, account)
    return totp.enrolment(account.email, secret) if secret else None


def confirm(db: Session, role: str, account: Account, code: str) -> bool:
    """A right code for the held secret stores it and turns the second factor on (the
    caller audits and commits). The try counts against the account's code lock."""
    secret = held_secret(role, account)
    if secret is None or totp.locked_until(account) is not None:
        return False
    if not totp.check_code(db, account, code, secret=secret):
        return False
    account.totp_secret = secret
    account.totp_enrolled_at = datetime.now(UTC)
    session.pop(_KEY, None)
    return True
