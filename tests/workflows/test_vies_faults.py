"""Whose fault a VIES failure is decides the registration's course (time-skipping server, the
real activities and the VIES stand-in): the portal's own faults are retried like an outage and
counted for the operators, VAT_BLOCKED goes on to the administrators, an adopted address holds."""

from __future__ import annotations

import concurrent.futures
import socket
from datetime import timedelta

import httpx
from sqlalchemy import select
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from activities.vies import PORTAL_FAULT_METRIC
from core.models import Registration, ViesFault
from core.temporal_setup import ensure_search_attributes
from tests.conftest import TEST_SERVER
from tests.workflows.helpers import make_registration, start, wait_for_status
from workerapp.build import build_worker
from workflows import contracts as c


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_portal_fault_is_retried_counted_and_the_registration_goes_on(app, vies):
    httpx.post(
        f"{vies}/_control/fail-next", json={"count": 2, "error": "IP_BLOCKED", "style": "body200"}
    )
    address = f"127.0.0.1:{_free_port()}"
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), runtime=runtime
    )
    try:
        await ensure_search_attributes(env.client, "default")
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
            async with build_worker(
                env.client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
            ):
                reg = make_registration(app)
                handle = await start(env.client, app, reg)
                await env.sleep(timedelta(minutes=5))  # the retries' back-off, skipped
                view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
                assert view.vat_result.valid and view.vat_result.matches
                metrics = httpx.get(f"http://{address}/metrics").text
    finally:
        await env.shutdown()
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith(PORTAL_FAULT_METRIC) and 'code="IP_BLOCKED"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) == 2, metrics
    with app.extensions["aos_sessions"]() as session:
        assert list(session.scalars(select(ViesFault.code))) == ["IP_BLOCKED", "IP_BLOCKED"]


async def test_vat_blocked_goes_to_the_administrators_flagged(ts_env, ts_worker, app):
    reg = make_registration(app, vat_number="400")  # the EU test service's VAT_BLOCKED
    handle = await start(ts_env.client, app, reg)
    view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    assert view.vat_result.flag_reason == c.VIES_FLAG_VAT_BLOCKED
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest())
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    with app.extensions["aos_sessions"]() as session:
        record = session.get(Registration, reg.id)
        assert record.vies_result["flag_reason"] == "VAT_BLOCKED"


async def test_adopted_address_matches_in_the_workflow(ts_env, ts_worker, app):
    reg = make_registration(
        app, street="Váci utca 22", adopted_address="Váci út 22.\n1132 Budapest"
    )
    handle = await start(ts_env.client, app, reg)
    view = await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    assert view.vat_result.matches
