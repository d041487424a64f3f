"""What the status page says for each state: where it stands, what happens next, who acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from core.formatting import format_deadline, format_remaining
from core.models import Registration
from webapp.countries import country_name
from webapp.i18n import current_language
from webapp.vies_status import country_unavailable
from workflows import contracts as c


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
    steps: list[tuple[str, str]]  # (label, local time)
    rejection_reason: str | None = None
    vat_attempts: int = 0
    next_vat_try: str | None = None
    vat_pending: str | None = None  # why the VAT check is still pending, when known


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
        c.Status.APPROVED: (_("Log in with your email address and password."), _("You")),
        c.Status.REJECTED: (
            _("We sent you the reason by email. You may register again."),
            _("You"),
        ),
    }
    return texts.get(status, ("", ""))


def build_progress(
    reg: Registration, view: c.StatusView | None, language: str, now: datetime | None = None
) -> Progress:
    """From the workflow's view when Temporal answers, else from the stored record."""
    now = now or datetime.now(UTC)
    status = view.status if view else reg.status
    deadline = (
        datetime.fromisoformat(view.deadline)
        if view and view.deadline
        else (reg.status_deadline if not view else None)
    )
    final = status in {s.value for s in c.FINAL_STATUSES}
    next_step, who = _next_step(status)
    steps = [
        (status_label(step.status), format_deadline(datetime.fromisoformat(step.at), language))
        for step in (view.steps if view else [])
    ]
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
        steps=steps,
        rejection_reason=(view.rejection_reason if view else reg.rejection_reason),
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
