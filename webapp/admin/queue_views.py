"""The review queue: confirmed registrations awaiting review, oldest first."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.admin.blueprint import bp, sections
from webapp.admin.queries import (
    ALL,
    LIMIT,
    OVERDUE,
    STATUSES,
    Filters,
    corrected_ids,
    find,
    is_overdue,
)
from webapp.admin.queries import review_counts as counts
from webapp.countries import country_choices, country_name
from webapp.database import db
from webapp.i18n import current_language
from webapp.registration.progress import status_label
from webapp.sessions import current
from workflows import contracts as c

USER_TYPES = tuple(c.USER_TYPE_LABELS.items())


def user_type_label(value: str) -> str:
    return c.USER_TYPE_LABELS.get(value, value)


def vies_result(vies: dict[str, Any] | None) -> tuple[str, bool]:
    """The queue's VIES column: (what VIES said, whether the reviewer must check by hand)."""
    if not vies:
        return _("No answer yet"), False
    if vies.get("flag_reason"):
        return _("Not checked"), True
    if not vies.get("valid"):
        return _("Not valid"), True
    if vies.get("no_data"):
        return _("No VIES name/address"), True
    return (_("✓ matches"), False) if vies.get("matches") else (_("✗ differs"), True)


def status_choices() -> list[tuple[str, str]]:
    first = [
        (c.Status.AWAITING_REVIEW.value, status_label(c.Status.AWAITING_REVIEW)),
        (OVERDUE, _("Waiting for review, overdue")),
        # With the applicant: comes back here once corrected.
        (c.Status.CHANGES_REQUESTED.value, status_label(c.Status.CHANGES_REQUESTED)),
        (ALL, _("All statuses")),
    ]
    shown = {value for value, _label in first}
    rest = [(s, status_label(s)) for s in STATUSES if s not in shown]
    return first + rest


@bp.get("/")
def queue() -> str | Response:
    account = current("admin")
    if account is None:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if not account.has_role("reviewer"):
        # The console's front door: an account without the reviewer duty starts at its
        # own first section (help requests for support).
        mine = sections(account)
        if not mine:
            abort(403)
        return redirect(url_for(mine[0][0]))
    filters = Filters.parse(request.args)
    rows, total = find(db(), filters)
    waiting, overdue = counts(db())
    language = current_language()
    return render_template(
        "admin/queue.html",
        filters=filters,
        rows=rows,
        corrected=corrected_ids(db(), [reg.id for reg in rows]),
        total=total,
        limit=LIMIT,
        waiting=waiting,
        overdue=overdue,
        is_overdue=is_overdue,
        in_review=filters.status in (c.Status.AWAITING_REVIEW.value, OVERDUE),
        sla_seconds=current_app.config["SETTINGS"].review_sla,
        status_label=status_label,
        status_choices=status_choices(),
        countries=country_choices(language),
        user_types=USER_TYPES,
        user_type_label=user_type_label,
        country_name=lambda code: country_name(code, language),
        vies_result=vies_result,
    )
