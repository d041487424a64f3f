"""A reviewer's answer to a review, shared by the console and `flask registrations
approve|reject|ask-changes`: approve, reject, or ask the applicant for changes.

Each answer is the workflow's Update: the workflow alone says whether it is accepted. A
refusal (someone else answered first, the registration ended) changes nothing and is
told plainly; it is written to the audit log, so a refused attempt is visible too.

No Flask here: the words come from the caller's gettext (`_`: Flask-Babel's on the
console, in the UI language); what the applicant reads is translated with the catalog of
the registration's language (core.emails.translations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from core.action_delivery import Refusal, stored_result
from core.emails import translations
from core.models import Account, PersonAction, Registration
from webapp import actions
from webapp.admin.service import audit
from webapp.temporal_bridge import (
    AlreadyDecided,
    ChangesIncomplete,
    NotInReview,
    Refused,
    TemporalBridge,
    TemporalUnavailable,
    refusal,
)
from workflows import contracts as c

Gettext = Callable[[str], str]


def rejection_reasons(_: Gettext) -> dict[str, str]:
    """Common reasons to pick, in the words of `_` (the applicant gets the text in the
    registration's language: compose_reason)."""
    return {
        "data_mismatch": _("The company data do not match the company's official registration."),
        "not_independent": _("The company is not an independent workshop or dealer."),
        "vat_other_company": _("The VAT number belongs to another company."),
        "not_verifiable": _("We could not verify the company from the data you gave."),
        "duplicate": _("The company already has an AOS account."),
        "contact_invalid": _("The contact details are incomplete or not valid."),
    }


REJECTION_CODES = tuple(rejection_reasons(str))
# The longest message the applicant is asked to read (the console's form says the same).
CHANGES_MESSAGE_MAX = 2000


class Outcome(StrEnum):
    DECIDED = "decided"
    ALREADY_DECIDED = "already_decided"
    DECIDED_BEFORE_BY_YOU = "decided_before_by_you"
    RECEIVED = "received"
    NOT_IN_REVIEW = "not_in_review"
    INCOMPLETE = "incomplete"


@dataclass
class DecisionOutcome:
    outcome: Outcome
    message: str  # for the administrator, in the UI language
    status: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.DECIDED

    @property
    def accepted(self) -> bool:
        """Applied, or stored and on its way (no one needs to answer again)."""
        return self.outcome in (Outcome.DECIDED, Outcome.RECEIVED)


def compose_reason(code: str | None, details: str, language: str) -> str:
    """The reason the applicant reads: the picked common reason (in the registration's
    language), then the free text."""
    parts = []
    reasons = rejection_reasons(translations(language).gettext)
    if code in reasons:
        parts.append(reasons[code])
    if details.strip():
        parts.append(details.strip())
    return "\n".join(parts)


def changes_problems(groups: Iterable[str], message: str, _: Gettext) -> dict[str, str]:
    """What is wrong with a request for changes before it may go to the workflow:
    "groups" and/or "message" → the problem in the words of `_`; empty when none."""
    problems = {}
    ticked = list(groups)
    if not ticked:
        problems["groups"] = _("Tick at least one part the applicant should change.")
    elif not set(ticked) <= set(c.CHANGE_GROUPS):
        problems["groups"] = _("Tick only the parts offered in the list.")
    if not message.strip():
        problems["message"] = _("Write the applicant what to change and why.")
    elif len(message) > CHANGES_MESSAGE_MAX:
        problems["message"] = _("The message is too long (at most %(max)d characters).") % {
            "max": CHANGES_MESSAGE_MAX
        }
    return problems


def _outcome_words(status: str, _: Gettext) -> str:
    # The status page's words for the three outcomes of an answer (the same msgids).
    words = {
        c.Status.APPROVED.value: _("Approved, account active"),
        c.Status.REJECTED.value: _("Not approved"),
        c.Status.CHANGES_REQUESTED.value: _("Changes requested"),
    }
    return words.get(status, status)


def submit_decision(
    db: Session,
    bridge: TemporalBridge,
    reg: Registration,
    admin: Account,
    *,
    approve: bool,
    reason: str,
    update_id: str,
    _: Gettext,
) -> DecisionOutcome:
    if not approve and not reason.strip():
        raise ValueError("a rejection needs a reason")
    decision = c.Decision(approve=approve, decided_by=str(admin.id), reason=reason)
    what = "approve" if approve else "reject"
    return _answer(db, bridge, reg, admin, what, c.UPDATE_DECIDE, decision, update_id, _)


def request_changes(
    db: Session,
    bridge: TemporalBridge,
    reg: Registration,
    admin: Account,
    groups: list[str],
    message: str,
    update_id: str,
    *,
    _: Gettext,
) -> DecisionOutcome:
    """Ask the applicant for changes to the ticked CHANGE_GROUPS, with the message they
    read. Bad input is the caller's to report (changes_problems); it never reaches the
    workflow."""
    if changes_problems(groups, message, _):
        raise ValueError("a request for changes needs known groups and a message")
    request = c.ChangesRequest(
        groups=list(dict.fromkeys(groups)), message=message.strip(), requested_by=str(admin.id)
    )
    what = f"ask for changes ({', '.join(request.groups)})"
    return _answer(
        db, bridge, reg, admin, what, c.UPDATE_ASK_FOR_CHANGES, request, update_id, _, changes=True
    )


def _answer(
    db: Session,
    bridge: TemporalBridge,
    reg: Registration,
    admin: Account,
    what: str,
    kind: str,
    arg: object,
    update_id: str,
    _: Gettext,
    *,
    changes: bool = False,
) -> DecisionOutcome:
    """Store the answer (webapp/actions.py: the same form sent twice is one row), then
    deliver it; Temporal silent: it is received, and the worker's sweep delivers it."""
    if not reg.workflow_started:
        err = NotInReview(
            f"Registration is not awaiting review: {reg.status}", c.REFUSED_NOT_IN_REVIEW
        )
        audit(db, admin.email, "registration.decision_refused", f"{what}: {err}", reg.id)
        return _refusal(db, err, admin, changes, _)
    row = actions.receive(
        db,
        registration_id=reg.id,
        kind=kind,
        arg=arg,
        actor=admin.email,
        audit_action="registration.answer_received",
        audit_detail=what,
        action_id=update_id,
    )
    try:
        if row.applied_at is not None:  # this very form was applied before
            result = stored_result(kind, row.result)
        elif row.refused_at is not None:
            raise refusal(Refusal(row.refusal_kind, row.refusal_reason or "", _details(row)))
        else:
            result = actions.deliver(db, bridge, row)
    except Refused as err:
        refused = _refusal(db, err, admin, changes, _)
        if refused.outcome != Outcome.DECIDED_BEFORE_BY_YOU:  # a repeated click is no news
            audit(db, admin.email, "registration.decision_refused", f"{what}: {err}", reg.id)
        return refused
    except TemporalUnavailable:
        # Stored: the worker's sweep delivers it when Temporal answers again.
        received = (
            _(
                "Your request for changes was received. It will be applied within a minute; "
                "you do not need to send it again."
            )
            if changes
            else _(
                "Your decision was received. It will be applied within a minute; you do not "
                "need to decide again."
            )
        )
        return DecisionOutcome(Outcome.RECEIVED, received)
    if result.status == c.Status.CHANGES_REQUESTED:
        message = _("Changes requested: the applicant is emailed a link to the correction page.")
    else:
        message = _("Decision recorded: %(status)s") % {"status": _outcome_words(result.status, _)}
    return DecisionOutcome(Outcome.DECIDED, message, result.status)


def _refusal(
    db: Session, err: Refused, admin: Account, changes: bool, _: Gettext
) -> DecisionOutcome:
    # The workflow names the kind of refusal (ApplicationError.type); only a recorded
    # answer by someone else is called one.
    if isinstance(err, AlreadyDecided):
        return _answered_first(db, err, admin, changes, _)
    if isinstance(err, ChangesIncomplete):
        return DecisionOutcome(
            Outcome.INCOMPLETE,
            _("A request for changes needs at least one ticked part and a message."),
        )
    return DecisionOutcome(
        Outcome.NOT_IN_REVIEW,
        _(
            "This registration is no longer waiting for review, so no changes can be asked. "
            "Nothing was changed."
        )
        if changes
        else _(
            "This registration is no longer waiting for review, so it cannot be decided. "
            "Nothing was changed."
        ),
    )


def _answered_first(
    db: Session, err: AlreadyDecided, admin: Account, changes: bool, _: Gettext
) -> DecisionOutcome:
    """Who answered first: the reviewer themself (a repeated click), or another one, named
    when the workflow said who."""
    if err.decided_by == str(admin.id):
        return DecisionOutcome(
            Outcome.DECIDED_BEFORE_BY_YOU,
            _("Your earlier decision on this registration was recorded. Nothing was changed."),
        )
    other = db.get(Account, int(err.decided_by)) if err.decided_by.isdigit() else None
    if other is None:
        message = _(
            "Another administrator decided this registration first. Your decision was "
            "not applied; nothing was changed."
        )
    elif changes:
        message = _(
            "Another administrator (%(who)s) answered this registration first. Your request "
            "for changes was not sent; nothing was changed."
        ) % {"who": other.email}
    else:
        message = _(
            "Another administrator (%(who)s) decided this registration first. Your decision "
            "was not applied; nothing was changed."
        ) % {"who": other.email}
    return DecisionOutcome(Outcome.ALREADY_DECIDED, message)


def _details(row: PersonAction) -> tuple:
    return tuple((row.result or {}).get("details", ()))
