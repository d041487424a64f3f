"""What `make chaos` prints: every registration checked against its planned fate, the
database against the workflow, the SMTP sink against the emails each fate must get."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError

from bench.chaos.actors import Answer, Applicant, Mailbox
from core.models import ChangeRequest, Registration
from workflows import contracts as c

EXPECTED_STATUS = {
    "approve": c.Status.APPROVED,
    "reject": c.Status.REJECTED,
    "expire": c.Status.EXPIRED,
    "mismatch": c.Status.VAT_MISMATCH,
    "changes": c.Status.APPROVED,
}
# Emails each fate must produce (more may come: a reminder, a "VIES answered late" note).
EXPECTED_MAIL = {
    "approve": ("confirmation", "review_requested", "activated"),
    "reject": ("confirmation", "review_requested", "rejected"),
    "expire": ("confirmation", "confirmation_reminder", "expired"),
    "mismatch": (),
    "changes": (
        "confirmation",
        "review_requested",
        "changes_requested-1",
        "correction_received-1",
        "activated",
    ),
}
STATUS_KEY = SearchAttributeKey.for_keyword(c.SA_STATUS)


def records(engine: Engine) -> dict[str, Registration]:
    """The newest registration per email address."""
    with Session(engine) as session:
        rows = session.scalars(select(Registration).order_by(Registration.created_at)).all()
        session.expunge_all()
    return {row.email: row for row in rows}


def change_rounds(engine: Engine, registration_id: str) -> int:
    """Rounds of "Ask for changes" the registration has had."""
    with Session(engine) as session:
        return len(
            session.scalars(
                select(ChangeRequest.id).where(ChangeRequest.registration_id == registration_id)
            ).all()
        )


def unfinished(engine: Engine, applicants: list[Applicant]) -> int:
    """Acknowledged registrations not yet in a final state (or not yet recorded)."""
    by_email = records(engine)
    finals = {s.value for s in c.FINAL_STATUSES}
    return sum(
        1
        for a in applicants
        if a.acknowledged and (a.email not in by_email or by_email[a.email].status not in finals)
    )


@dataclass
class Verdict:
    lines: list[tuple[str, object]] = field(default_factory=list)

    def add(self, name: str, value: object) -> None:
        self.lines.append((name, value))

    def print(self) -> None:
        for name, value in self.lines:
            print(f"{name} {value}", flush=True)


async def workflow_states(client: Client, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """Execution status and RegistrationStatus search attribute per registration id."""
    states: dict[str, tuple[str, str | None]] = {}
    for reg_id in ids:
        try:
            desc = await client.get_workflow_handle(c.workflow_id_for(reg_id)).describe()
        except RPCError:
            continue  # no workflow: lost, unless the record says otherwise
        status = desc.status.name if desc.status else "UNKNOWN"
        states[reg_id] = (status, desc.typed_search_attributes.get(STATUS_KEY))
    return states


def judge(
    applicants: list[Applicant],
    by_email: dict[str, Registration],
    states: dict[str, tuple[str, str | None]],
    mailbox: Mailbox,
) -> Verdict:
    verdict = Verdict()
    right = lost = stuck = disagree = missing = 0
    wrong: Counter[str] = Counter()
    for a in applicants:
        reg = by_email.get(a.email)
        if reg is None or reg.id not in states:
            lost += a.acknowledged
            if not a.acknowledged:
                wrong["not_acknowledged"] += 1
            continue
        run_status, sa_status = states[reg.id]
        final = reg.status in {s.value for s in c.FINAL_STATUSES}
        done = run_status == WorkflowExecutionStatus.COMPLETED.name
        if not final or not done:
            stuck += 1
        if sa_status != reg.status or final != done:
            disagree += 1
        if reg.status == EXPECTED_STATUS[a.fate] and final and done and sa_status == reg.status:
            right += 1
        else:
            wrong[f"{a.fate}->{reg.status}"] += 1
        if reg.status == EXPECTED_STATUS[a.fate]:  # a wrong state is counted once, above
            missing += sum(not _has(mailbox, reg.id, p) for p in EXPECTED_MAIL[a.fate])
    n = len(applicants)
    verdict.add("right", f"{right}/{n}")
    verdict.add("lost", lost)
    verdict.add("stuck", stuck)
    verdict.add("disagreements", disagree)
    verdict.add("emails_missing", missing)
    for what, count in sorted(wrong.items()):
        verdict.add(f"wrong[{what}]", count)
    messages = mailbox.messages()
    ids = Counter(m.message_id for m in messages)
    dups = {mid: count - 1 for mid, count in ids.items() if count > 1}
    total_dups = sum(dups.values())
    verdict.add("emails_total", len(messages))
    verdict.add("emails_duplicate", total_dups)
    verdict.add("emails_duplicate_pct", f"{100 * total_dups / max(len(messages), 1):.2f}")
    by_kind: Counter[str] = Counter()
    for mid, count in dups.items():
        by_kind[_purpose(mid)] += count
    for kind, count in sorted(by_kind.items()):
        verdict.add(f"emails_duplicate[{kind}]", count)
    for mid in sorted(dups):
        verdict.add("emails_duplicate_id", mid)
    return verdict


def _has(mailbox: Mailbox, reg_id: str, purpose: str) -> bool:
    wanted = f"<registration-{reg_id}.{purpose}@"
    return any((m.message_id or "").startswith(wanted) for m in mailbox.messages())


def _purpose(message_id: str | None) -> str:
    # <registration-<id>.<purpose>@domain> or <mail-<id>...>
    text = (message_id or "").strip("<>").split("@", 1)[0]
    return text.split(".", 1)[1] if "." in text else text.split("-", 1)[0]


def http_figures(
    answers: list[Answer], temporal_down: list[tuple[float, float]], verdict: Verdict
) -> None:
    def during_outage(at: float) -> bool:
        return any(start - 1 <= at <= end + 5 for start, end in temporal_down)

    errors = [a for a in answers if a.status >= 500]
    outside = [a for a in errors if not during_outage(a.at)]
    verdict.add("http_answers", len(answers))
    verdict.add("http_5xx", len(errors))
    verdict.add("http_5xx_outside_temporal_down", len(outside))
    for what, count in sorted(Counter(f"{a.what} {a.status}" for a in outside).items()):
        verdict.add(f"http_5xx_outside[{what}]", count)
