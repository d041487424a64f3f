"""The summary's last lines: people's actions from the inbox (table person_actions), and the
reconciler's disagreements from the workers' Prometheus endpoints.

An action is lost when, after the settle phase, it has neither `applied_at` nor
`refused_at`, or when it was refused although the registration's planned fate needed it. A
fate needs these actions (the decision with its direction): approve → confirm_email,
decide(approve); reject → confirm_email, decide(reject); changes → confirm_email,
ask_for_changes, submit_correction, decide(approve); expire and mismatch → none. A refused
action of a needed kind is harmless when another action of the same kind (and direction) for
the same registration was applied: a second click answered "already done". Refusals of
actions no fate needs (a resend, a decision the fate does not want) are never "lost".
"""

from __future__ import annotations

import re
import threading
from collections import Counter

import httpx
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench.chaos.actors import Applicant
from bench.chaos.verdict import records
from core.models.actions import (
    ASK_FOR_CHANGES,
    CONFIRM_EMAIL,
    DECIDE,
    SUBMIT_CORRECTION,
    PersonAction,
)

Need = tuple[str, bool | None]  # kind, and for a decision: approve?
NEEDED: dict[str, set[Need]] = {
    "approve": {(CONFIRM_EMAIL, None), (DECIDE, True)},
    "reject": {(CONFIRM_EMAIL, None), (DECIDE, False)},
    "changes": {
        (CONFIRM_EMAIL, None),
        (ASK_FOR_CHANGES, None),
        (SUBMIT_CORRECTION, None),
        (DECIDE, True),
    },
}
METRIC = "aos_record_workflow_disagreements"
# A sample line: name{labels} value (the SDK may add _total and labels of its own).
SAMPLE = re.compile(rf"^(?:\w+_)?{METRIC}(?:_total)*(?:\{{[^}}]*\}})?\s+(\S+)", re.MULTILINE)


def _need(row: PersonAction) -> Need:
    if row.kind != DECIDE:
        return row.kind, None
    return row.kind, bool((row.payload or {}).get("approve"))


def action_figures(engine: Engine, applicants: list[Applicant]) -> list[tuple[str, object]]:
    with Session(engine) as session:
        rows = session.scalars(select(PersonAction)).all()
        session.expunge_all()
    by_email = records(engine)
    fate_by_id = {by_email[a.email].id: a.fate for a in applicants if a.email in by_email}
    applied = {(r.registration_id, *_need(r)) for r in rows if r.applied_at is not None}
    pending = [r for r in rows if r.applied_at is None and r.refused_at is None]
    refused = [r for r in rows if r.refused_at is not None]
    needed_refused = [
        r
        for r in refused
        if _need(r) in NEEDED.get(fate_by_id.get(r.registration_id, ""), set())
        and (r.registration_id, *_need(r)) not in applied
    ]
    figures: list[tuple[str, object]] = [
        ("actions_pending", len(pending)),
        ("actions_refused", len(refused)),
        ("actions_refused_needed", len(needed_refused)),
        ("actions_max_attempts", max((r.attempts or 0 for r in rows), default=0)),
    ]
    for (kind, why), count in sorted(Counter((r.kind, r.refusal_kind) for r in refused).items()):
        figures.append((f"actions_refused[{kind}:{why}]", count))
    for row in (pending + needed_refused)[:10]:
        figures.append(("action_lost", f"{row.id}:{row.kind}:{row.registration_id}"))
    figures += [
        ("actions_received", len(rows)),
        ("actions_applied", sum(r.applied_at is not None for r in rows)),
        ("actions_lost", len(pending) + len(needed_refused)),
    ]
    return figures


class Disagreements:
    """`aos_record_workflow_disagreements_total` summed over the workers. A worker's counter
    starts at 0 again when it is restarted, so each run of a worker (incarnation) is scraped
    every few seconds and once more just before it is killed, and its last value is kept."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, int], float] = {}
        self._lock = threading.Lock()
        self.scrapes = 0
        self.seen = False  # the metric appeared on some endpoint

    def scrape(self, name: str, incarnation: int, address: str) -> None:
        try:
            text = httpx.get(f"http://{address}/metrics", timeout=3).text
        except httpx.HTTPError:
            return  # not up yet, or just killed: its last scrape stands
        samples = [float(value) for value in SAMPLE.findall(text)]
        with self._lock:
            self.scrapes += 1
            self.seen = self.seen or bool(samples)
            key = (name, incarnation)
            self._last[key] = max(self._last.get(key, 0.0), sum(samples))

    def figures(self) -> list[tuple[str, object]]:
        with self._lock:
            total = int(sum(self._last.values()))
            return [
                ("record_workflow_disagreements_scrapes", self.scrapes),
                ("record_workflow_disagreements_metric_seen", int(self.seen)),
                ("record_workflow_disagreements", total),
            ]
