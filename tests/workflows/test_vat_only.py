"""VatOnlyWorkflow, the VIES check for a taken address (time-skipping server, the real
check_vat activity and the VIES stand-in): it answers as a registration's check would, and
ends on its own when VIES stays down, storing nothing."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from core.models import OutboxMessage, Registration
from tests.workflows.helpers import HU_CITY, HU_NAME, HU_POSTCODE, HU_STREET, HU_VAT
from workflows import contracts as c
from workflows.contracts import VatOnlyAnswer, vat_only_workflow_id
from workflows.vat_only import VatOnlyWorkflow


def _request(**changes: str) -> c.VatCheckRequest:
    company = dict(
        country_code="HU",
        vat_number=HU_VAT,
        company_name=HU_NAME,
        street=HU_STREET,
        postcode=HU_POSTCODE,
        city=HU_CITY,
    )
    return c.VatCheckRequest(registration_id=uuid.uuid4().hex[:16], **{**company, **changes})


async def _run(env, worker, req: c.VatCheckRequest) -> VatOnlyAnswer:  # type: ignore[no-untyped-def]
    return await env.client.execute_workflow(
        VatOnlyWorkflow.run,
        req,
        id=vat_only_workflow_id(uuid.uuid4().hex),
        task_queue=worker.task_queue,
    )


def _stored(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return (
            session.scalar(select(func.count(Registration.id))),
            session.scalar(select(func.count(OutboxMessage.id))),
        )


async def test_matching_and_mismatching_data_are_told_apart(ts_env, ts_worker, app, vies):  # type: ignore[no-untyped-def]
    matching = await _run(ts_env, ts_worker, _request())
    assert matching.result is not None and matching.result.valid and matching.result.matches
    wrong = await _run(ts_env, ts_worker, _request(company_name="Kovacs es Tarsa Kft."))
    assert wrong.result is not None and wrong.result.valid and not wrong.result.matches
    names = [f.field for f in wrong.result.fields if not f.matches]
    assert names == ["name"]
    assert _stored(app) == (0, 0)


async def test_vies_down_ends_without_an_answer(ts_env, ts_worker, app, vies):  # type: ignore[no-untyped-def]
    httpx.post(f"{vies}/_control/fail-next", json={"count": 1000, "error": "MS_UNAVAILABLE"})
    answer = await _run(ts_env, ts_worker, _request())  # the horizon, skipped
    assert answer.result is None
    assert _stored(app) == (0, 0)
