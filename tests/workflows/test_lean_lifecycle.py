"""Issue 16: "Send Registration" gets the VIES answer in the call that starts the workflow
(Update-with-Start)."""

from __future__ import annotations

from temporalio.client import WithStartWorkflowOperation
from temporalio.testing import WorkflowEnvironment

from tests.workflows.helpers import STARTED, make_registration
from webapp.registration.service import workflow_input
from workflows import contracts as c
from workflows.starting import registration_start


async def _update_with_start(env: WorkflowEnvironment, app, reg) -> c.StatusView:  # type: ignore[no-untyped-def]
    settings = app.config["SETTINGS"]
    wf_input = workflow_input(reg, settings)
    operation = WithStartWorkflowOperation(
        c.WORKFLOW_NAME,
        wf_input,
        task_queue=settings.temporal_task_queue,
        **registration_start(wf_input),
    )
    view = await env.client.execute_update_with_start_workflow(
        c.UPDATE_VAT_ANSWER, start_workflow_operation=operation, result_type=c.StatusView
    )
    STARTED.append(await operation.workflow_handle())
    return view


async def test_send_registration_gets_the_mismatch_in_the_starting_call(
    ts_env, ts_worker, app
) -> None:
    reg = make_registration(app, company_name="Kovacs es Tarsa Autojavito Kft.")
    view = await _update_with_start(ts_env, app, reg)
    assert view.status == c.Status.VAT_MISMATCH
    assert view.vat_result is not None and not view.vat_result.matches


async def test_send_registration_gets_the_match_in_the_starting_call(
    ts_env, ts_worker, app
) -> None:
    reg = make_registration(app)
    view = await _update_with_start(ts_env, app, reg)
    assert view.status == c.Status.AWAITING_EMAIL_CONFIRMATION
    assert view.vat_result is not None and view.vat_result.matches
