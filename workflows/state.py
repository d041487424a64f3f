"""RegistrationWorkflow's state, in one place: what the Updates change, what the run loop
waits on, and what the status Query shows. Plain data plus the rules that read only it;
deterministic like the workflow (time comes in as an argument)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import contracts as c


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class RegistrationState:
    registration_id: str = ""
    status: c.Status = c.Status.VERIFYING_VAT
    deadline: datetime | None = None
    steps: list[c.Step] = field(default_factory=list)
    vat_result: c.VatCheckResult | None = None
    # The company data checked with VIES: as registered, then as each accepted correction.
    company: c.VatCheckRequest = field(
        default_factory=lambda: c.VatCheckRequest("", "", "", "", "", "", "")
    )
    # "HU12345678 · Independent workshop/dealer", the start of the Web UI's details line.
    summary_prefix: str = ""

    # The confirmation link (confirm_email, resend_confirmation).
    confirmed_at: datetime | None = None
    confirmation_sent_at: datetime | None = None
    resends: int = 0

    # The review: one answer wins, a decision or a request for changes (first_answer()).
    decision: c.Decision | None = None
    changes_asked: c.ChangesRequest | None = None
    review_overdue: bool = False

    # Rounds of changes (workflows/changes.py): the open or last round, corrections
    # accepted so far, and the correction handshake (correction_in_check, outcomes).
    changes: c.ChangesView | None = None
    corrections: int = 0
    correction_in_check: c.CorrectionSubmitted | None = None
    correction_outcomes: dict[str, c.CorrectionOutcome] = field(default_factory=dict)

    def first_answer(self) -> str | None:
        """Who answered the review, when someone has: the one check of "first answer wins"
        (the decision's or the request's author; "" when the author is unknown)."""
        if self.decision is not None:
            return self.decision.decided_by
        if self.changes_asked is not None:
            return self.changes_asked.requested_by
        return None

    def window_closed(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline

    def view(self) -> c.StatusView:
        return c.StatusView(
            registration_id=self.registration_id,
            status=self.status.value,
            deadline=iso(self.deadline) if self.deadline else None,
            steps=list(self.steps),
            vat_result=self.vat_result,
            rejection_reason=self.decision.reason if self.decision else None,
            email_confirmed_at=iso(self.confirmed_at) if self.confirmed_at else None,
            review_overdue=self.review_overdue,
            decided_by=self.decision.decided_by if self.decision else None,
            changes=self.changes,
            corrections=self.corrections,
        )
