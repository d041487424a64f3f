"""A reviewer's decision, shared by the console and `flask registrations approve|reject`.

The decision is the workflow's Update: the workflow alone says whether it is accepted. A
refusal (someone else decided first, the registration ended) changes nothing and is
told plainly; it is written to the audit log, so a refused attempt is visible too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.models import Account, Registration
from webapp.admin.service import audit
from webapp.registration.progress import status_label
from webapp.temporal_bridge import (
    AlreadyDecided,
    DecisionRefused,
    TemporalBridge,
    TemporalUnavailable,
    UpdateNotConfirmed,
)
from workflows import contracts as c

# Common reasons to pick; the applicant gets the text in the registration's language.
REJECTION_REASONS = {
    "data_mismatch": _l("The company data do not match the company's official registration."),
    "not_independent": _l("The company is not an independent workshop or dealer."),
    "vat_other_company": _l("The VAT number belongs to another company."),
    "not_verifiable": _l("We could not verify the company from the data you gave."),
    "duplicate": _l("The company already has an AOS account."),
    "contact_invalid": _l("The contact details are incomplete or not valid."),
}


class Outcome(StrEnum):
    DECIDED = "decided"
    ALREADY_DECIDED = "already_decided"
    DECIDED_BEFORE_BY_YOU = "decided_before_by_you"
    NOT_CONFIRMED = "not_confirmed"
    NOT_IN_REVIEW = "not_in_review"
    UNAVAILABLE = "unavailable"


@dataclass
class DecisionOutcome:
    outcome: Outcome
    message: str  # for the administrator, in the UI language
    status: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.DECIDED


def compose_reason(code: str | None, details: str, language: str) -> str:
    """The reason the applicant reads: the picked common reason, then the free text."""
    parts = []
    if code in REJECTION_REASONS:
        with force_locale(language):
            parts.append(str(REJECTION_REASONS[code]))
    if details.strip():
        parts.append(details.strip())
    return "\n".join(parts)


def submit_decision(
    db: Session,
    bridge: TemporalBridge,
    reg: Registration,
    admin: Account,
    *,
    approve: bool,
    reason: str,
    update_id: str,
) -> DecisionOutcome:
    if not approve and not reason.strip():
        raise ValueError("a rejection needs a reason")
    decision = c.Decision(approve=approve, decided_by=str(admin.id), reason=reason)
    try:
        if not reg.workflow_started:
            raise DecisionRefused(
                f"Registration is not awaiting review: {reg.status}", c.REFUSED_NOT_IN_REVIEW
            )
        result = bridge.decide(reg.id, decision, update_id=update_id)
    except DecisionRefused as err:
        refused = _refusal(err, admin)
        if refused.outcome != Outcome.DECIDED_BEFORE_BY_YOU:  # a repeated click is no news
            audit(
                db,
                admin.email,
                "registration.decision_refused",
                f"{'approve' if approve else 'reject'}: {err}",
                reg.id,
            )
        return refused
    except UpdateNotConfirmed:
        # Sent, but no answer yet (e.g. no worker running): it may still be recorded.
        return DecisionOutcome(
            Outcome.NOT_CONFIRMED,
            _(
                "The decision was sent but is not confirmed yet. Reload the page in a "
                "moment to see whether it was recorded."
            ),
        )
    except TemporalUnavailable:
        return DecisionOutcome(
            Outcome.UNAVAILABLE,
            _(
                "The workflow service did not answer in time. Reload the page to see whether "
                "the decision was recorded before you send it again."
            ),
        )
    return DecisionOutcome(
        Outcome.DECIDED,
        _("Decision recorded: %(status)s", status=status_label(result.status)),
        result.status,
    )


def _refusal(err: DecisionRefused, admin: Account) -> DecisionOutcome:
    # The workflow names the kind of refusal (ApplicationError.type); only a recorded
    # decision by someone else is called one.
    if isinstance(err, AlreadyDecided):
        if err.decided_by == str(admin.id):
            return DecisionOutcome(
                Outcome.DECIDED_BEFORE_BY_YOU,
                _("Your earlier decision on this registration was recorded. Nothing was changed."),
            )
        return DecisionOutcome(
            Outcome.ALREADY_DECIDED,
            _(
                "Another administrator decided this registration first. Your decision was "
                "not applied; nothing was changed."
            ),
        )
    return DecisionOutcome(
        Outcome.NOT_IN_REVIEW,
        _(
            "This registration is no longer waiting for review, so it cannot be decided. "
            "Nothing was changed."
        ),
    )
