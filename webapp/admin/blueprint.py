"""The console blueprint and what every console page shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.formatting import as_utc, format_ago
from core.local_time import format_local
from core.models import Account
from webapp.i18n import current_language
from webapp.sessions import current

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The console's sections and the duty each needs, in menu order. Sections of other
# features (help requests, prices) appear when their blueprint is registered.
SECTIONS = (
    ("admin.queue", _l("Review queue"), "reviewer"),
    ("support_console.queue", _l("Help requests"), "support"),
    ("admin.accounts", _l("Accounts"), "support"),
    ("pricing.console", _l("Prices"), "reviewer"),
)


def sections(account: Account | None) -> list[tuple[str, str]]:
    """(endpoint, label) of the sections this account may open."""
    if account is None:
        return []
    present = current_app.view_functions
    return [
        (e, str(label)) for e, label, role in SECTIONS if e in present and account.has_role(role)
    ]


def format_duration(seconds: float) -> str:
    """'2 d 4 h', '5 h 10 min', '12 min': ages and SLA distances in the console."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return _("%(minutes)d min", minutes=minutes)


@bp.app_context_processor
def _console_nav() -> dict[str, Any]:
    # Console pages of other blueprints (help requests, prices) draw the same bar.
    return {"console_nav_sections": sections}


@bp.context_processor
def _console_globals() -> dict[str, Any]:
    language = current_language()

    def when(moment: datetime | str | None) -> str:
        return format_local(moment, language)

    account = current("admin")
    return {
        "console_account": account,
        "console_sections": sections(account),
        "when": when,
        # The timeline once wrote seconds and a zone; now one form on every console page.
        "exact": when,
        "duration": format_duration,
        # „az imént”, „5 perce”: never „0 perc ezelőtt” (docs/hu-style.md).
        "ago": lambda seconds: format_ago(seconds, language),
        "now": datetime.now(UTC),
        "as_utc": as_utc,
    }
