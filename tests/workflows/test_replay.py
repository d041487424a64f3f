"""Replay safety: every recorded path (tests/workflows/histories/, made by
`make histories`) must replay against today's RegistrationWorkflow. A change that reorders,
adds or drops a step without workflow.patched would break registrations already running;
here it breaks CI instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.workflow import NondeterminismError

from tests.workflows.record_histories import HISTORIES, SCENARIOS
from workflows import contracts as c
from workflows.effects import Effects
from workflows.mail import OutboxMailWorkflow
from workflows.registration import RegistrationWorkflow


def _history(name: str) -> WorkflowHistory:
    text = (HISTORIES / f"{name}.json").read_text(encoding="utf-8")
    return WorkflowHistory.from_json(f"registration-replay-{name}", text)


def test_every_path_has_a_recorded_history() -> None:
    recorded = {path.stem for path in Path(HISTORIES).glob("*.json")}
    assert recorded == set(SCENARIOS), "run `make histories` for the missing paths"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_recorded_history_replays(name: str) -> None:
    replayer = Replayer(workflows=[RegistrationWorkflow, OutboxMailWorkflow])
    result = await replayer.replay_workflow(_history(name), raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{name}: {result.replay_failure}"


class _ReviewMailFirst(Effects):
    async def enter(self, status: c.Status, **kwargs) -> None:  # type: ignore[no-untyped-def,override]
        if status == c.Status.AWAITING_REVIEW:
            await Effects.email(self, c.EmailKind.REVIEW_REQUESTED)
        await super().enter(status, **kwargs)

    async def email(self, kind: c.EmailKind, **kwargs) -> None:  # type: ignore[no-untyped-def,override]
        if kind != c.EmailKind.REVIEW_REQUESTED:  # already queued, above
            await super().email(kind, **kwargs)


@workflow.defn(name=c.WORKFLOW_NAME)
class ReviewMailBeforeRecord(RegistrationWorkflow):
    """A deliberately altered copy: the reviewers' email is queued before the record of
    AWAITING_REVIEW is written instead of after it. Two steps swapped, no patch."""

    def __init__(self) -> None:
        super().__init__()
        self._fx = _ReviewMailFirst(self._state)

    @workflow.run
    async def run(self, reg: c.RegistrationInput) -> str:
        return await super().run(reg)


async def test_a_reordered_step_fails_replay() -> None:
    replayer = Replayer(
        workflows=[ReviewMailBeforeRecord], workflow_runner=UnsandboxedWorkflowRunner()
    )
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(_history("happy"))
    # The same history replays cleanly against the real workflow (the check is fair).
    ok = Replayer(workflows=[RegistrationWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    await ok.replay_workflow(_history("happy"))
