"""Delivering a stored person's action (core.models.PersonAction) to its registration's
workflow: the Update of the same name, with the row's id as the Update id, so that the
web app's first delivery and every re-delivery by the worker's sweep are one Update to
Temporal (it deduplicates by id within the run).

Shared by the web app's bridge and the worker's sweep; each brings its own client. The
answer is one of three: `Applied` (the Update's result came back: the workflow task that
accepted it is in the history), `Refusal` (final: the validator, the handler or an ended
workflow said no), or an exception (RPCError, a timeout) when Temporal did not say: the row
stays pending and is delivered again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from core.models.actions import PersonAction
from workflows import contracts as c

_FIVE = timedelta(seconds=5)
# Each kind of action: its Update's argument and result types (the kind is the Update name).
ACTION_TYPES: dict[str, tuple[type, type]] = {
    c.UPDATE_CONFIRM_EMAIL: (c.ConfirmEmailRequest, str),
    c.UPDATE_RESEND_CONFIRMATION: (c.ResendRequest, str),
    c.UPDATE_DECIDE: (c.Decision, c.DecisionResult),
    c.UPDATE_ASK_FOR_CHANGES: (c.ChangesRequest, c.DecisionResult),
    c.UPDATE_SUBMIT_CORRECTION: (c.CorrectionSubmitted, c.CorrectionOutcome),
}
# The refusal an ended workflow gives, per kind, when no administrator's decision ended it.
ENDED_REFUSALS = {
    c.UPDATE_CONFIRM_EMAIL: c.REFUSED_NOT_AWAITING_CONFIRMATION,
    c.UPDATE_RESEND_CONFIRMATION: c.REFUSED_NOT_AWAITING_CONFIRMATION,
    c.UPDATE_SUBMIT_CORRECTION: c.REFUSED_NOT_AWAITING_CORRECTION,
}


@dataclass
class Applied:
    result: Any

    def stored(self) -> dict:
        """The result as the row keeps it (JSON)."""
        value = self.result
        return {"value": dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value}


@dataclass
class Refusal:
    kind: str | None  # the workflow's REFUSED_* type, None for an unexpected failure
    reason: str
    details: tuple = ()


def payload_of(arg: object) -> dict:
    """An Update argument as the row stores it."""
    assert dataclasses.is_dataclass(arg) and not isinstance(arg, type)
    return dataclasses.asdict(arg)


def argument(kind: str, payload: dict) -> object:
    return value_to_type(ACTION_TYPES[kind][0], payload)


def stored_result(kind: str, stored: dict | None) -> Any:
    """A row's stored result back as the Update's result type."""
    if stored is None:
        return None
    return value_to_type(ACTION_TYPES[kind][1], stored.get("value"))


async def deliver(
    client: Client,
    *,
    registration_id: str,
    kind: str,
    action_id: str,
    payload: dict,
    rpc_timeout: timedelta,
) -> Applied | Refusal:
    """Send the action once. Raises when Temporal gave no answer (RPCError, the SDK's
    WorkflowUpdateRPCTimeoutOrCancelledError): delivering it again is safe."""
    arg_type, result_type = ACTION_TYPES[kind]
    handle = client.get_workflow_handle(c.workflow_id_for(registration_id))
    try:
        result = await handle.execute_update(
            kind,
            value_to_type(arg_type, payload),
            id=action_id,
            result_type=result_type,
            rpc_timeout=rpc_timeout,
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError):
            return Refusal(cause.type, cause.message, tuple(cause.details))
        return Refusal(None, str(cause))
    except RPCError:
        # The workflow has ended (decided, expired): a refusal, not an outage.
        desc = await handle.describe(rpc_timeout=rpc_timeout)
        if desc.status == WorkflowExecutionStatus.RUNNING:
            raise
        return await ended_refusal(handle, kind, desc.status.name)
    return Applied(result)


async def ended_refusal(handle: WorkflowHandle, kind: str, how: str) -> Refusal:
    """The refusal for a message to an ended workflow: AlreadyDecided naming who, when an
    administrator decided it (its run ends the moment the decision is carried out)."""
    try:
        view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView, rpc_timeout=_FIVE)
    except (RPCError, WorkflowQueryFailedError):
        view = None  # no worker to answer: say only that it ended
    if view is not None and view.decided_by and kind not in ENDED_REFUSALS:
        return Refusal(
            c.REFUSED_ALREADY_DECIDED,
            "This registration has already been decided.",
            (view.decided_by,),
        )
    status = view.status if view is not None else how
    return Refusal(
        ENDED_REFUSALS.get(kind, c.REFUSED_NOT_IN_REVIEW), f"registration ended: {how}", (status,)
    )


def mark(row: PersonAction, outcome: Applied | Refusal, now: datetime) -> None:
    """Write a delivery's outcome on its PersonAction row (the caller commits)."""
    if isinstance(outcome, Applied):
        row.applied_at = now
        row.result = outcome.stored()
    else:
        row.refused_at = now
        row.refusal_kind = outcome.kind
        row.refusal_reason = outcome.reason[:2000]
        row.result = {"details": [str(d) for d in outcome.details]}
    row.last_error = None
