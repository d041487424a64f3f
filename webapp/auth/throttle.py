"""Failed-login throttling, shared by every web process (the database-backed limiter of
webapp/ratelimit.py).

Per account (the typed address, known or not, so the answer never tells them apart):
5 failures in 5 minutes, then a delay that doubles with each further series; per client
IP: 30 a minute. On the applicant login, the console's password step and its TOTP step, and the
"reauth" surface: passwords (and codes) typed inside a session to confirm a sensitive
action (webapp/auth/reauth.py), keyed by the account id.
Refused: HTTP 429, Retry-After, and a message saying when to try again. A successful login
forgets the account's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template, request
from flask_babel import gettext as _

from core.formatting import format_deadline
from webapp.database import db
from webapp.i18n import current_language
from webapp.ratelimit import Rule, begin_attempt, forget, reset

PER_ACCOUNT, PER_IP = (5, 300), (30, 60)
RULES = {
    surface: (
        Rule(f"{surface}-account", *PER_ACCOUNT, grows=True),
        Rule(f"{surface}-ip", *PER_IP),
    )
    for surface in ("login", "console", "totp", "reauth")
}


@dataclass
class Attempt:
    surface: str
    key: str
    rows: list[int]
    wait: int | None

    @property
    def refused(self) -> bool:
        return self.wait is not None

    def succeeded(self) -> None:
        """Forget the account's failures, and do not count this success against the IP."""
        account_rule, _ip_rule = RULES[self.surface]
        reset(db(), _secret(), account_rule, self.key)
        forget(db(), self.rows)


def _secret() -> str:
    return current_app.config["SETTINGS"].secret_key


def begin(surface: str, account_key: str) -> Attempt:
    account_rule, ip_rule = RULES[surface]
    key = account_key.strip().lower()
    ip = request.remote_addr or "unknown"
    rows, wait = begin_attempt(db(), _secret(), [(account_rule, key), (ip_rule, ip)])
    return Attempt(surface, key, rows, wait)


def too_many_message(wait: int) -> str:
    until = datetime.now(UTC) + timedelta(seconds=wait)
    return _(
        "Too many attempts. Please try again after %(time)s (in %(minutes)d min).",
        time=format_deadline(until, current_language()),
        minutes=max(1, (wait + 59) // 60),
    )


def refusal(template: str, wait: int, **context: object) -> tuple[str, int, dict[str, str]]:
    page = render_template(template, error=too_many_message(wait), **context)
    return page, 429, {"Retry-After": str(wait)}
