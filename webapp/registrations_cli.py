"""`flask --app webapp registrations list|show|approve|reject|ask-changes`: the operator's
console.

Decisions and requests for changes go through the same workflow Updates as the web console
(webapp/admin/decisions), so the same refusals apply: someone answered first, or the
registration is no longer in review.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

import click
from flask.cli import AppGroup
from flask_babel import force_locale, gettext
from sqlalchemy import select

from core.formatting import as_utc
from core.models import Account, AuditEntry, Registration, SentEmail
from core.names import person_name
from webapp.admin.decisions import (
    REJECTION_CODES,
    changes_problems,
    compose_reason,
    rejection_reasons,
    request_changes,
    submit_decision,
)
from webapp.admin.detail_views import timeline
from webapp.admin.queries import ALL, OVERDUE, STATUSES, Filters, find, is_overdue
from webapp.admin.service import changes_history
from webapp.database import bridge, db
from webapp.temporal_bridge import TemporalUnavailable
from workflows import contracts as c


def _in_english(command: Callable[..., Any]) -> Callable[..., Any]:
    # Outside a request there is no UI language: operators read English.
    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with force_locale("en"):
            return command(*args, **kwargs)

    return wrapped


def _when(moment: datetime | None) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _registration(registration_id: str) -> Registration:
    reg = db().get(Registration, registration_id.removeprefix("registration-"))
    if reg is None:
        raise click.ClickException(f"No registration {registration_id}.")
    return reg


def _reviewer(email: str) -> Account:
    account = db().scalars(select(Account).where(Account.email == email.strip().lower())).first()
    if account is None or not account.active or not account.has_role("reviewer"):
        raise click.ClickException(f"{email} is not an active administrator with the reviewer role")
    return account


# An AppGroup: each subcommand runs inside the app context (database, Temporal bridge).
registrations = AppGroup("registrations", help="Find, inspect and decide registrations.")


@registrations.command("list")
@click.option(
    "--status",
    default=c.Status.AWAITING_REVIEW.value,
    show_default=True,
    type=click.Choice([*STATUSES, OVERDUE, ALL], case_sensitive=False),
)
@click.option("--country", default="", help="Two-letter code, e.g. HU.")
@click.option("--user-type", default="", type=click.Choice(["", *[t.value for t in c.UserType]]))
@click.option("--search", default="", help="Company name, VAT number or email.")
@click.option("--limit", default=50, show_default=True)
@_in_english
def list_command(status: str, country: str, user_type: str, search: str, limit: int) -> None:
    """List registrations; awaiting review (oldest first) unless told otherwise."""
    filters = Filters.parse(
        {"status": status, "country": country, "user_type": user_type, "q": search}
    )
    rows, total = find(db(), filters, limit=limit)
    now = datetime.now(UTC)
    for reg in rows:
        flag = "OVERDUE" if is_overdue(reg, now) else ""
        click.echo(
            f"{reg.id}  {reg.status:<27} {flag:<7} {reg.country_code}{reg.vat_number:<14} "
            f"confirmed {_when(reg.email_confirmed_at):<20} due {_when(reg.status_deadline):<20} "
            f"{reg.company_name}"
        )
    click.echo(f"{len(rows)} of {total} shown.")


@registrations.command("show")
@click.argument("registration_id")
@_in_english
def show(registration_id: str) -> None:
    """Everything about one registration: data, VIES evidence, timeline, audit log."""
    reg = _registration(registration_id)
    billing = f"{reg.billing_street}, {reg.billing_postcode} {reg.billing_city}"
    lines = [
        ("Registration", f"{reg.id} (workflow {c.workflow_id_for(reg.id)})"),
        ("Status", reg.status + ("  OVERDUE" if is_overdue(reg) else "")),
        ("Review due", _when(reg.status_deadline)),
        ("User type", reg.user_type),
        ("Company", reg.company_name),
        ("VAT number", f"{reg.country_code}{reg.vat_number}"),
        ("Address", f"{reg.street}, {reg.postcode} {reg.city}"),
        ("Billing", billing.strip(", ") or "same as the company address"),
        ("Legal rep.", person_name(reg.rep_title, reg.rep_first_name, reg.rep_last_name, "en")),
        ("Contact", f"{reg.contact_person}, {reg.phone}, {reg.email}"),
        ("Email confirmed", _when(reg.email_confirmed_at)),
    ]
    vies = reg.vies_result or {}
    if vies:
        lines += [
            ("VIES date", vies.get("request_date") or "-"),
            ("Consultation", vies.get("request_identifier") or "none obtained"),
            ("VIES name", vies.get("registered_name") or "-"),
            ("VIES address", (vies.get("registered_address") or "-").replace("\n", ", ")),
        ]
        if vies.get("flag_reason"):
            lines.append(("VIES note", f"{vies['flag_reason']}: VIES would not check it"))
        elif vies.get("no_data"):
            lines.append(("VIES note", "this member state returns no name/address"))
        own = vies.get("vies_matches") or {}
        for f in vies.get("fields", []):
            verdict = "matches" if f["matches"] else f"DIFFERS (typed {f['typed']!r})"
            if f.get("note"):
                verdict += f" [{f['note']}]"
            if own.get(f["field"]):
                verdict += f"; VIES's own matching: {own[f['field']]}"
            lines.append((f"Match {f['field']}", verdict))
    if reg.decided_at:
        lines.append(("Decided", f"{_when(reg.decided_at)} by {reg.decided_by}"))
    if reg.rejection_reason:
        lines.append(("Reason", reg.rejection_reason))
    for label, value in lines:
        click.echo(f"{label + ':':<17}{value}")
    try:
        view = bridge().status(reg.id) if reg.workflow_started else None
    except TemporalUnavailable:
        view = None
        click.echo("(Temporal did not answer: the timeline shows the stored record only.)")
    emails = list(db().scalars(select(SentEmail).where(SentEmail.registration_id == reg.id)))
    audit = list(db().scalars(select(AuditEntry).where(AuditEntry.registration_id == reg.id)))
    history = changes_history(db(), reg.id)
    for r in history.rounds:
        state = (
            f"corrected {_when(r.corrected_at)}"
            if r.corrected_at
            else f"expired {_when(r.expired_at)}"
            if r.expired_at
            else f"open until {_when(r.deadline)}"
        )
        click.echo(
            f"Changes round {r.round}: {', '.join(r.groups)} asked by {r.requested_by} "
            f"at {_when(r.requested_at)}, {state}"
        )
        for name, after in (r.after or {}).items():
            click.echo(f"  {name}: {(r.before or {}).get(name)!r} -> {after!r}")
    click.echo("Timeline:")
    for event in timeline(reg, view, emails, audit, history.rounds, history.attempts):
        click.echo(f"  {_when(event.at)}  {event.label}  {event.detail}".rstrip())


def _decide(registration_id: str, actor: str, approve: bool, reason: str) -> None:
    reg = _registration(registration_id)
    admin = _reviewer(actor)
    outcome = submit_decision(
        db(),
        bridge(),
        reg,
        admin,
        approve=approve,
        reason=reason,
        update_id=f"decision-{reg.id}-cli-{secrets.token_hex(8)}",
        _=gettext,
    )
    if not outcome.accepted:
        raise click.ClickException(outcome.message)
    click.echo(f"{reg.id}: {outcome.status or outcome.message} (by {admin.email}).")


@registrations.command("approve")
@click.argument("registration_id")
@click.option("--as", "actor", required=True, help="Your administrator email (reviewer role).")
@_in_english
def approve(registration_id: str, actor: str) -> None:
    """Approve: the account is activated and the applicant emailed."""
    _decide(registration_id, actor, True, "")


_REASON_HELP = "\b\nReason codes:\n" + "\n".join(
    f"  {code:<18} {text}" for code, text in sorted(rejection_reasons(str).items())
)


@registrations.command("reject", epilog=_REASON_HELP)
@click.argument("registration_id")
@click.option("--as", "actor", required=True, help="Your administrator email (reviewer role).")
@click.option("--reason-code", type=click.Choice(sorted(REJECTION_CODES)), default=None)
@click.option("--reason", default="", help="Free text for the applicant.")
@_in_english
def reject(registration_id: str, actor: str, reason_code: str | None, reason: str) -> None:
    """Reject with a reason (a common one, free text, or both): the applicant gets it."""
    reg = _registration(registration_id)
    text = compose_reason(reason_code, reason, reg.language)
    if not text:
        raise click.UsageError("A rejection needs --reason-code or --reason.")
    _decide(registration_id, actor, False, text)


_GROUP_HELP = "\b\nGroups (the fields the correction page shows):\n" + "\n".join(
    f"  {group:<15} {', '.join(fields)}" for group, fields in c.CHANGE_GROUPS.items()
)


@registrations.command("ask-changes", epilog=_GROUP_HELP)
@click.argument("registration_id")
@click.option(
    "--group",
    "groups",
    multiple=True,
    required=True,
    type=click.Choice(list(c.CHANGE_GROUPS)),
    help="A part to change; repeat for several.",
)
@click.option("--message", required=True, help="What to change and why: the applicant reads it.")
@click.option(
    "--by", "--as", "actor", required=True, help="Your administrator email (reviewer role)."
)
@_in_english
def ask_changes(registration_id: str, groups: tuple[str, ...], message: str, actor: str) -> None:
    """Ask the applicant for changes: they are emailed a link to a correction page with
    the message and the chosen parts; the registration comes back for review once
    corrected, or expires after CHANGES_WINDOW."""
    problems = changes_problems(groups, message, gettext)
    if problems:
        raise click.UsageError(" ".join(problems.values()))
    reg = _registration(registration_id)
    admin = _reviewer(actor)
    outcome = request_changes(
        db(),
        bridge(),
        reg,
        admin,
        list(groups),
        message,
        update_id=f"changes-{reg.id}-cli-{secrets.token_hex(8)}",
        _=gettext,
    )
    if not outcome.accepted:
        raise click.ClickException(outcome.message)
    shown = outcome.status or outcome.message
    click.echo(f"{reg.id}: {shown} ({', '.join(groups)}; by {admin.email}).")
