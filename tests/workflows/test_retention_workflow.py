"""The retention workflow on the time-skipping server with the real worker and database:
90 days pass in milliseconds, and only then is the rejected registration erased."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.workflows.helpers import make_registration
from webapp.models import Registration
from workflows import retention_contracts as rc

REJECTED_ID = "r" + "7" * 15
APPROVED_ID = "r" + "8" * 15


async def _run(env: WorkflowEnvironment, app, retention: int) -> rc.PurgeResult:  # type: ignore[no-untyped-def]
    return await env.client.execute_workflow(
        rc.RETENTION_WORKFLOW_NAME,
        rc.RetentionInput(retention_seconds=retention),
        id=f"{rc.RETENTION_SCHEDULE_ID}-{uuid.uuid4().hex[:8]}",
        task_queue=app.config["SETTINGS"].temporal_task_queue,
        result_type=rc.PurgeResult,
    )


def _email(app, registration_id: str) -> str:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.get(Registration, registration_id).email


async def test_a_rejected_registration_is_erased_after_the_period_an_approved_one_never(
    ts_env: WorkflowEnvironment, ts_worker, app
) -> None:
    retention = app.config["SETTINGS"].personal_data_retention
    assert retention == 90 * 86400  # the default
    make_registration(app, id=REJECTED_ID, status="REJECTED", open_email=None)
    make_registration(app, id=APPROVED_ID, status="APPROVED", open_email=None)

    assert await _run(ts_env, app, retention) == rc.PurgeResult(0, 0)
    assert _email(app, REJECTED_ID) == "peter@kovacs-auto.hu"

    await ts_env.sleep(timedelta(days=91))
    assert await _run(ts_env, app, retention) == rc.PurgeResult(registrations=1, accounts=0)
    assert _email(app, REJECTED_ID) == ""
    assert _email(app, APPROVED_ID) == "peter@kovacs-auto.hu"

    # The next day's run finds nothing more to do.
    await ts_env.sleep(timedelta(days=1))
    assert await _run(ts_env, app, retention) == rc.PurgeResult(0, 0)
