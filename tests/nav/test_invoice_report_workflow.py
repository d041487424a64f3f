"""InvoiceReportWorkflow on the time-skipping server with the real worker and activities,
against the NAV stand-in over HTTP: DONE, DONE with warnings, ABORTED and a corrected
re-send, NAV down for hours, and the request refused."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from temporalio.worker import Replayer

from core.models import NavReport
from core.models.nav_reports import latest_reports, next_attempt
from nav.invoice_xml import invoice_data_xml
from tests.nav.conftest import StandIn
from tests.nav.samples import credit_note, de_invoice, hu_invoice
from workflows import invoice_contracts as ic
from workflows.invoice_report import InvoiceReportWorkflow


def _input(xml: bytes, number: str, operation: str = "CREATE", attempt: int = 1):  # type: ignore[no-untyped-def]
    return ic.InvoiceReportInput.of(number, operation, xml, attempt)


async def _report(env, worker, inp: ic.InvoiceReportInput) -> ic.InvoiceReportResult:  # type: ignore[no-untyped-def]
    return await env.client.execute_workflow(
        InvoiceReportWorkflow.run,
        inp,
        id=ic.report_workflow_id(inp.invoice_number, inp.attempt),
        task_queue=worker.task_queue,
    )


def _rows(app, number: str) -> list[NavReport]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        query = select(NavReport).where(NavReport.invoice_number == number)
        return list(session.scalars(query.order_by(NavReport.attempt)))


async def test_an_invoice_is_reported_and_done(ts_env, ts_worker, app, nav_standin: StandIn):  # type: ignore[no-untyped-def]
    nav_standin.post("polls", count=2)  # RECEIVED, PROCESSING, then DONE
    invoice = de_invoice()
    result = await _report(ts_env, ts_worker, _input(invoice_data_xml(invoice), invoice.number))
    assert result.status == "DONE"
    assert result.polls == 3
    assert result.transaction_id
    [row] = _rows(app, invoice.number)
    assert (row.status, row.transaction_id, row.messages) == ("DONE", result.transaction_id, [])
    assert row.id == "nav-report-AOS-2026-000002-1"


async def test_a_recorded_report_replays_deterministically(ts_env, ts_worker, app, nav_standin):  # type: ignore[no-untyped-def]
    nav_standin.post("fault", mode="503", count=2)
    invoice = hu_invoice("AOS-2026-000020")
    handle = await ts_env.client.start_workflow(
        InvoiceReportWorkflow.run,
        _input(invoice_data_xml(invoice), invoice.number),
        id=ic.report_workflow_id(invoice.number),
        task_queue=ts_worker.task_queue,
    )
    assert (await handle.result()).status == "DONE"
    history = await handle.fetch_history()
    replay = await Replayer(workflows=[InvoiceReportWorkflow]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert replay.replay_failure is None


async def test_a_credit_note_is_done_with_navs_warning_stored(ts_env, ts_worker, app, nav_standin):  # type: ignore[no-untyped-def]
    note = credit_note(hu_invoice())  # its invoice was never reported: NAV warns
    result = await _report(ts_env, ts_worker, _input(invoice_data_xml(note), note.number, "MODIFY"))
    assert result.status == "DONE"
    assert [(m.result_code, m.code) for m in result.messages] == [
        ("WARN", "INVALID_INVOICE_REFERENCE")
    ]
    [row] = _rows(app, note.number)
    assert row.status == "DONE"
    assert row.messages[0]["code"] == "INVALID_INVOICE_REFERENCE"
    assert "no data was provided" in row.messages[0]["text"]


async def test_an_aborted_report_is_stored_and_a_corrected_one_is_done(
    ts_env, ts_worker, app, nav_standin
):  # type: ignore[no-untyped-def]
    invoice = hu_invoice()
    broken = invoice_data_xml(invoice).replace(b"<currencyCode>HUF", b"<currencyCode>huf")
    first = await _report(ts_env, ts_worker, _input(broken, invoice.number))
    assert first.status == "ABORTED"
    assert first.messages[0].code == "SCHEMA_VIOLATION"
    fixed = _input(invoice_data_xml(invoice), invoice.number, attempt=2)
    second = await _report(ts_env, ts_worker, fixed)
    assert second.status == "DONE"
    rows = _rows(app, invoice.number)
    assert [(r.attempt, r.status) for r in rows] == [(1, "ABORTED"), (2, "DONE")]
    assert "currencyCode" in rows[0].messages[0]["text"]
    with app.extensions["aos_sessions"]() as session:
        assert latest_reports(session, [invoice.number, "AOS-unknown"])[invoice.number].attempt == 2
        assert next_attempt(session, invoice.number) == 3
        assert next_attempt(session, "AOS-unknown") == 1


async def test_a_second_report_of_the_same_number_is_aborted(ts_env, ts_worker, app, nav_standin):  # type: ignore[no-untyped-def]
    invoice = hu_invoice("AOS-2026-000010")
    xml = invoice_data_xml(invoice)
    assert (await _report(ts_env, ts_worker, _input(xml, invoice.number))).status == "DONE"
    again = await _report(ts_env, ts_worker, _input(xml, invoice.number, attempt=2))
    assert again.status == "ABORTED"
    assert again.messages[0].code == "INVOICE_NUMBER_NOT_UNIQUE"


async def test_nav_down_for_hours_is_waited_out(ts_env, ts_worker, app, nav_standin):  # type: ignore[no-untyped-def]
    nav_standin.post("fault", mode="503", count=10)  # 30 s, 1, 2, 4 … min, then 30 min apart
    invoice = hu_invoice("AOS-2026-000011")
    handle = await ts_env.client.start_workflow(
        InvoiceReportWorkflow.run,
        _input(invoice_data_xml(invoice), invoice.number),
        id=ic.report_workflow_id(invoice.number),
        task_queue=ts_worker.task_queue,
    )
    for _ in range(100):  # the first refused attempt (bounded wait for that condition)
        if nav_standin.state.refused and _rows(app, invoice.number):
            break
        await asyncio.sleep(0.05)
    # Meanwhile the console sees the report waiting for NAV.
    assert _rows(app, invoice.number)[0].status == "SUBMITTING"
    assert await handle.query(InvoiceReportWorkflow.status) == "SUBMITTING"
    result = await handle.result()
    assert result.status == "DONE"
    took = datetime.fromisoformat(result.finished_at) - datetime.fromisoformat(result.started_at)
    assert took > timedelta(hours=2)
    assert nav_standin.state.refused == 10
    assert _rows(app, invoice.number)[0].status == "DONE"


async def test_an_outage_while_asking_for_the_status_is_waited_out(
    ts_env, ts_worker, app, nav_standin
):  # type: ignore[no-untyped-def]
    nav_standin.post("fault", mode="500", count=4, operation="queryTransactionStatus")
    invoice = hu_invoice("AOS-2026-000012")
    result = await _report(ts_env, ts_worker, _input(invoice_data_xml(invoice), invoice.number))
    assert result.status == "DONE"
    assert nav_standin.state.refused == 4
    assert result.polls == 1  # one status activity, retried through the outage


async def test_a_request_nav_refuses_is_rejected_at_once(ts_env, app, nav_standin):  # type: ignore[no-untyped-def]
    import concurrent.futures

    from workerapp.build import build_worker

    settings = app.config["SETTINGS"]
    user = replace(settings.nav.user, password="not-the-password")
    wrong = replace(settings, nav=replace(settings.nav, user=user))
    invoice = hu_invoice("AOS-2026-000014")
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
        worker = build_worker(ts_env.client, wrong, app.extensions["aos_sessions"], executor)
        async with worker:
            inp = _input(invoice_data_xml(invoice), invoice.number)
            result = await _report(ts_env, worker, inp)
    assert result.status == "REJECTED"
    assert result.messages[0].code == "INVALID_SECURITY_USER"
    assert result.transaction_id is None
    assert _rows(app, invoice.number)[0].status == "REJECTED"
    assert nav_standin.state.calls == 1  # not retried
