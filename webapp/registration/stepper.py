"""The status page's stepper: the whole path of a registration, done, now and still to come.

Built from the workflow's steps when Temporal answers (with the time each stage ended), else
from the stored status alone (no times). Each stage says its state in words, never by
colour alone; the deadline stands on the current stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from workflows import contracts as c

VAT, EMAIL, REVIEW, CHANGES, ACTIVATION = "vat", "email", "review", "changes", "activation"
DONE, CURRENT, UPCOMING, FAILED, NOT_REACHED = "done", "current", "todo", "failed", "not_reached"

# The status that opens each stage; a failure status ends the stage it falls in.
OPENS: dict[str, str] = {
    c.Status.AWAITING_EMAIL_CONFIRMATION: EMAIL,
    c.Status.AWAITING_REVIEW: REVIEW,
    c.Status.CHANGES_REQUESTED: CHANGES,
    c.Status.APPROVED: ACTIVATION,
}
FAILURES = {c.Status.VAT_MISMATCH, c.Status.VAT_CHECK_FAILED, c.Status.EXPIRED, c.Status.REJECTED}
AFTER = {VAT: [EMAIL, REVIEW, ACTIVATION], EMAIL: [REVIEW, ACTIVATION], REVIEW: [ACTIVATION]}
AFTER[CHANGES] = [REVIEW, ACTIVATION]


@dataclass
class Stage:
    kind: str
    state: str = CURRENT
    at: datetime | None = None  # when it was done (or stopped)
    round: int = 0  # the round of changes, for CHANGES and the review after it
    label: str = ""
    state_word: str = ""
    at_text: str | None = None


def _walk(statuses: list[tuple[str, datetime | None]]) -> list[Stage]:
    stages = [Stage(VAT)]
    rounds = 0
    for status, at in statuses:
        current = stages[-1]
        if status in FAILURES:
            current.state, current.at = FAILED, at
            break
        kind = OPENS.get(status)
        if kind is None or (kind == current.kind and current.state == CURRENT):
            continue
        current.state, current.at = DONE, at
        if kind == CHANGES:
            rounds += 1
        stages.append(Stage(kind, round=rounds))
        if kind == ACTIVATION:
            stages[-1].state, stages[-1].at = DONE, at
    return stages


def _synthesised(status: str, corrections: int, changes_ran_out: bool) -> list[str]:
    """The statuses a registration went through, from its status alone (Temporal down)."""
    path = [c.Status.VERIFYING_VAT.value]
    if status in (c.Status.VAT_MISMATCH, c.Status.VAT_CHECK_FAILED):
        return [*path, status]
    path.append(c.Status.AWAITING_EMAIL_CONFIRMATION)
    if status == c.Status.AWAITING_EMAIL_CONFIRMATION or (
        status == c.Status.EXPIRED and not changes_ran_out
    ):
        return path + ([status] if status == c.Status.EXPIRED else [])
    path.append(c.Status.AWAITING_REVIEW)
    path += [c.Status.CHANGES_REQUESTED, c.Status.AWAITING_REVIEW] * corrections
    if status in (c.Status.CHANGES_REQUESTED, c.Status.EXPIRED):
        path.append(c.Status.CHANGES_REQUESTED)
    if status != c.Status.AWAITING_REVIEW and status != c.Status.CHANGES_REQUESTED:
        path.append(status)
    return path


def build_stages(
    status: str,
    steps: list[c.Step],
    corrections: int,
    changes_ran_out: bool,
    when: Callable[[datetime], str],
) -> list[Stage]:
    """Every stage of the path, in order, with its label, state word and time."""
    if steps:
        walked: list[tuple[str, datetime | None]] = [
            (s.status, datetime.fromisoformat(s.at)) for s in steps
        ]
        if walked[-1][0] != status:  # the record ran ahead of the view (or behind)
            walked.append((status, None))
    else:
        walked = [(s, None) for s in _synthesised(status, corrections, changes_ran_out)]
    stages = _walk(walked)
    last = stages[-1]
    future = AFTER.get(last.kind, [])
    rounds = last.round
    stages += [
        Stage(kind, UPCOMING if last.state == CURRENT else NOT_REACHED, round=rounds)
        for kind in future
    ]
    for stage in stages:
        stage.label = _label(stage)
        stage.state_word = _state_word(stage.state)
        stage.at_text = when(stage.at) if stage.at else None
    return stages


def _label(stage: Stage) -> str:
    if stage.kind == CHANGES:
        return _("Your changes (round %(round)d)", round=stage.round)
    if stage.kind == REVIEW and stage.round:
        return _("Review of your changes")
    return {
        VAT: _("VAT number check"),
        EMAIL: _("Email confirmation"),
        REVIEW: _("Review by the administrators"),
        ACTIVATION: _("Account activation"),
    }[stage.kind]


def _state_word(state: str) -> str:
    return {
        DONE: _("Done"),
        CURRENT: _("Now"),
        UPCOMING: _("Still to come"),
        FAILED: _("Stopped here"),
        NOT_REACHED: _("Not reached"),
    }[state]
