"""What the status page says for each state: where it stands, what happens next, who acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from core.change_groups import change_group_labels
from core.formatting import format_deadline, format_remaining
from core.models import Registration
from webapp.countries import country_name
from webapp.i18n import current_language
from webapp.registration.stepper import Stage, build_stages
from webapp.vies_status import country_unavailable
from workflows import contracts as c

if TYPE_CHECKING:
    from webapp.registration.changes_service import StoredChanges


@dataclass
class ChangesAsked:
    """What the administrators asked for in the open round of "Ask for changes"."""

    message: str
    groups: list[str]  # the ticked groups' labels
    vat_refused: bool  # the last correction sent did not match VIES


@dataclass
class Progress:
    status: str
    title: str
    next_step: str
    who_acts: str
    deadline_text: str | None
    remaining_text: str | None
    is_final: bool
    vat_result: c.VatCheckResult | None
    rejection_reason: str | None = None
    vat_attempts: int = 0
    next_vat_try: str | None = None
    vat_pending: str | None = None  # why the VAT check is still pending, when known
    changes: ChangesAsked | None = None
    changes_url: str | None = None
    corrections: int = 0
    stages: list[Stage] | None = None  # the whole path, for the stepper


def status_label(status: str) -> str:
    labels = {
        "SUBMITTED": _("Received"),
        c.Status.VERIFYING_VAT: _("VAT number check"),
        c.Status.VAT_MISMATCH: _("Company data do not match the VAT registration"),
        c.Status.VAT_CHECK_FAILED: _("VAT number could not be checked"),
        c.Status.AWAITING_EMAIL_CONFIRMATION: _("Waiting for email confirmation"),
        c.Status.EXPIRED: _("Expired"),
        c.Status.AWAITING_REVIEW: _("Waiting for review"),
        c.Status.CHANGES_REQUESTED: _("Changes requested"),
        c.Status.APPROVED: _("Approved, account active"),
        c.Status.REJECTED: _("Not approved"),
    }
    return labels.get(status, status)


def _next_step(status: str) -> tuple[str, str]:
    """(what happens next, who acts)"""
    texts = {
        "SUBMITTED": (
            _("We have stored your registration and will start processing it shortly."),
            _("AOS Portal"),
        ),
        c.Status.VERIFYING_VAT: (
            _(
                "We are checking your company data with the EU VAT register (VIES). If the "
                "service is busy this can take a while; we will email you when it is done."
            ),
            _("AOS Portal and VIES"),
        ),
        c.Status.VAT_MISMATCH: (
            _(
                "The company data you typed do not match, letter for letter, the data "
                "registered for your VAT number. Start again with the registered data."
            ),
            _("You"),
        ),
        c.Status.VAT_CHECK_FAILED: (
            _("The VAT register did not answer for a long time. Please register again."),
            _("You"),
        ),
        c.Status.AWAITING_EMAIL_CONFIRMATION: (
            _(
                "Open the email we sent you and click the confirmation link. Without it the "
                "registration expires."
            ),
            _("You"),
        ),
        c.Status.EXPIRED: (
            _(
                "The confirmation link was not used in time. Start again; we will fill in "
                "your data."
            ),
            _("You"),
        ),
        c.Status.AWAITING_REVIEW: (
            _(
                "Our administrators check your data by hand. You will get an email when your "
                "account is activated; this can take up to 2 days."
            ),
            _("AOS administrators"),
        ),
        c.Status.CHANGES_REQUESTED: (
            _(
                "Our administrators ask you to change some of your data. Open the correction "
                "page, change them and send them before the deadline; otherwise the "
                "registration expires."
            ),
            _("You"),
        ),
        c.Status.APPROVED: (_("Log in with your email address and password."), _("You")),
        c.Status.REJECTED: (
            _("We sent you the reason by email. You may register again."),
            _("You"),
        ),
    }
    return texts.get(status, ("", ""))


def _changes_asked(
    status: str, view: c.StatusView | None, stored: StoredChanges | None
) -> ChangesAsked | None:
    if status != c.Status.CHANGES_REQUESTED:
        return None
    labels = change_group_labels(_)
    if view is not None and view.changes is not None:
        asked = view.changes
        return ChangesAsked(
            message=asked.message,
            groups=[labels.get(g, g) for g in asked.groups],
            vat_refused=asked.rejected_vat_result is not None,
        )
    if stored is not None:
        return ChangesAsked(
            message=stored.round.message,
            groups=[labels.get(g, g) for g in stored.round.groups],
            vat_refused=stored.vat_refused,
        )
    return None


def _changes_ran_out(steps: list[c.Step], stored: StoredChanges | None) -> bool:
    """An expiry that ended a round of changes, not the email confirmation's window."""
    if steps:
        return len(steps) > 1 and steps[-2].status == c.Status.CHANGES_REQUESTED
    return stored is not None and stored.round.expired_at is not None


def build_progress(
    reg: Registration,
    view: c.StatusView | None,
    language: str,
    now: datetime | None = None,
    stored: StoredChanges | None = None,
) -> Progress:
    """From the workflow's view when Temporal answers, else from the stored record (and,
    asking for changes, the stored round)."""
    now = now or datetime.now(UTC)
    status = view.status if view else reg.status
    deadline = (
        datetime.fromisoformat(view.deadline)
        if view and view.deadline
        else (reg.status_deadline if not view else None)
    )
    final = status in {s.value for s in c.FINAL_STATUSES}
    next_step, who = _next_step(status)
    view_steps = view.steps if view else []
    if status == c.Status.EXPIRED and _changes_ran_out(view_steps, stored):
        next_step = _(
            "The changes our administrators asked for did not arrive in time, so the "
            "registration has expired. Start again; we will fill in your data."
        )
    corrections = view.corrections if view else 0
    stages = build_stages(
        status,
        view_steps,
        corrections,
        status == c.Status.EXPIRED and _changes_ran_out(view_steps, stored),
        lambda moment: format_deadline(moment, language),
    )
    return Progress(
        status=status,
        title=status_label(status),
        next_step=next_step,
        who_acts=who,
        deadline_text=format_deadline(deadline, language) if deadline and not final else None,
        remaining_text=format_remaining(deadline, now, language)
        if deadline and not final
        else None,
        is_final=final,
        vat_result=view.vat_result if view else None,
        rejection_reason=(view.rejection_reason if view else reg.rejection_reason),
        changes=_changes_asked(status, view, stored),
        corrections=corrections,
        stages=stages,
    )


def pending_reason(country_code: str, attempts: int) -> str | None:
    """Why the VAT check is still pending: the member state's service, when VIES says it is
    down; else, after a failed attempt, a plain "pending" (our own faults included: they are
    never the applicant's)."""
    if country_unavailable(country_code):
        return _(
            "The %(country)s VAT service is currently unavailable. We keep trying and will "
            "email you when the check is done.",
            country=country_name(country_code, current_language()),
        )
    if attempts > 1:
        return _(
            "VAT check pending: the EU VAT register has not answered yet. Your data are kept; "
            "you need not do anything."
        )
    return None
