"""core.action_delivery when Temporal refuses the Update with an RPC error and then cannot
say the workflow's status (issue 22 item 6: the `union-attr` mypy found)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core.action_delivery import deliver
from workflows import contracts as c


@dataclass
class _Described:
    status: WorkflowExecutionStatus | None


class _Handle:
    """A workflow handle whose Update fails at the RPC layer and whose describe gives
    `status`."""

    def __init__(self, status: WorkflowExecutionStatus | None) -> None:
        self.status = status

    async def execute_update(self, *args: Any, **kwargs: Any) -> Any:
        raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")

    async def describe(self, **kwargs: Any) -> _Described:
        return _Described(self.status)


class _Client:
    def __init__(self, handle: _Handle) -> None:
        self.handle = handle

    def get_workflow_handle(self, workflow_id: str) -> _Handle:
        return self.handle


async def _deliver(status: WorkflowExecutionStatus | None) -> Any:
    return await deliver(
        _Client(_Handle(status)),  # type: ignore[arg-type]
        registration_id="r-1",
        kind=c.UPDATE_CONFIRM_EMAIL,
        action_id="a-1",
        payload={},
        rpc_timeout=timedelta(seconds=1),
    )


async def test_no_status_keeps_the_action_pending() -> None:
    # Before: `desc.status.name` on None raised AttributeError (a 500 in the web app, a
    # crashed sweep); now the RPC error goes on, so the row stays pending and is re-sent.
    with pytest.raises(RPCError):
        await _deliver(None)


async def test_running_workflow_keeps_the_action_pending() -> None:
    with pytest.raises(RPCError):
        await _deliver(WorkflowExecutionStatus.RUNNING)
