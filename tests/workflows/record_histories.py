"""Record one history per path of RegistrationWorkflow into tests/workflows/histories/.

    make histories        # or: .venv/bin/python -m tests.workflows.record_histories [NAME ...]

Each path runs on the time-skipping server with the real worker (SQLite, the mail catcher,
the VIES stand-in), like the workflow tests. tests/workflows/test_replay.py replays every
file with temporalio's Replayer, so a workflow change that would break registrations
already running fails CI. Re-record only on purpose: when the change is safe for running
workflows (or guarded by workflow.patched), or before the first release.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
from flask import Flask
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.config import load_settings
from core.db import create_schema, make_engine
from core.models import CorrectionAttempt
from core.temporal_setup import ensure_search_attributes
from devtools.mailcatcher import list_messages, start_catcher
from tests.conftest import TEST_SERVER, make_env
from tests.workflows.helpers import (
    HU_CITY,
    HU_NAME,
    HU_POSTCODE,
    HU_STREET,
    make_registration,
    start,
    wait_for_status,
)
from vies.standin import serve_in_thread
from webapp import create_app
from workerapp.build import build_worker
from workflows import contracts as c

HISTORIES = Path(__file__).with_name("histories")
# A path: the test server, the workflow, the VIES stand-in's URL and the app (its database).
Scenario = Callable[[WorkflowEnvironment, WorkflowHandle, str, Flask], Awaitable[None]]


async def _confirm(handle: WorkflowHandle) -> None:
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await handle.execute_update(c.UPDATE_CONFIRM_EMAIL, c.ConfirmEmailRequest(), result_type=str)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)


async def _decide(handle: WorkflowHandle, approve: bool = True) -> None:
    decision = c.Decision(approve=approve, decided_by="1", reason="" if approve else "No.")
    await handle.execute_update(c.UPDATE_DECIDE, decision, result_type=c.DecisionResult)


async def happy(env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask) -> None:
    await _confirm(handle)
    await _decide(handle)


async def rejection(
    env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask
) -> None:
    await _confirm(handle)
    await _decide(handle, approve=False)


async def mismatch(env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask) -> None:
    pass  # the typed company name differs from VIES's (see NAMES)


async def vies_outage(
    env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask
) -> None:
    httpx.post(f"{vies}/_control/fail-next", json={"count": 3, "error": "MS_UNAVAILABLE"})
    await env.sleep(timedelta(minutes=5))  # retried with back-off, then VIES answers
    await _confirm(handle)
    await _decide(handle)


async def vies_down(
    env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask
) -> None:
    httpx.post(f"{vies}/_control/fail-next", json={"count": 100000, "error": "MS_UNAVAILABLE"})
    await env.sleep(timedelta(hours=24, minutes=5))  # past the horizon: VAT_CHECK_FAILED


async def expiry(env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask) -> None:
    await wait_for_status(handle, c.Status.AWAITING_EMAIL_CONFIRMATION)
    await env.sleep(timedelta(hours=48, minutes=1))  # reminder, then expiry


async def overdue_review(
    env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask
) -> None:
    await _confirm(handle)
    await env.sleep(timedelta(days=3, hours=1))  # escalated, then reminded a day later
    await _decide(handle)


async def _ask_for_changes(handle: WorkflowHandle, groups: list[str]) -> None:
    request = c.ChangesRequest(groups=groups, message="Please correct it.", requested_by="1")
    await handle.execute_update(c.UPDATE_ASK_FOR_CHANGES, request, result_type=c.DecisionResult)
    await wait_for_status(handle, c.Status.CHANGES_REQUESTED)


async def _correct(handle: WorkflowHandle, app: Flask, round_no: int, company_name: str) -> None:
    registration_id = handle.id.removeprefix("registration-")
    attempt_id = f"{registration_id[:16]}{round_no:04d}{len(company_name):04d}"
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            CorrectionAttempt(
                id=attempt_id,
                registration_id=registration_id,
                round=round_no,
                values={"company_name": company_name},
            )
        )
    correction = c.CorrectionSubmitted(
        round_no, attempt_id, company_name, HU_STREET, HU_POSTCODE, HU_CITY
    )
    await handle.execute_update(
        c.UPDATE_SUBMIT_CORRECTION, correction, result_type=c.CorrectionOutcome
    )


async def changes(env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask) -> None:
    await _confirm(handle)
    await _ask_for_changes(handle, ["company_name"])
    await env.sleep(timedelta(days=6))  # past the reminder
    await _correct(handle, app, 1, "Kovacs Autojavito Bt.")  # VIES: not the registered name
    await _correct(handle, app, 1, HU_NAME)
    await wait_for_status(handle, c.Status.AWAITING_REVIEW)
    await _decide(handle)


async def changes_expired(
    env: WorkflowEnvironment, handle: WorkflowHandle, vies: str, app: Flask
) -> None:
    await _confirm(handle)
    await _ask_for_changes(handle, ["phone"])
    await env.sleep(timedelta(days=7, minutes=1))  # reminder, then expiry


SCENARIOS: dict[str, Scenario] = {
    "happy": happy,
    "rejection": rejection,
    "mismatch": mismatch,
    "vies_outage": vies_outage,
    "vies_down": vies_down,
    "expiry": expiry,
    "overdue_review": overdue_review,
    "changes": changes,
    "changes_expired": changes_expired,
}
# The company name the applicant types, when not VIES's own.
NAMES = {"mismatch": "Kovacs es Tarsa Autojavito Kft."}


def _without_stack_traces(text: str) -> str:
    """Failures carry the recording machine's file paths in their stack traces; replay does
    not read them, so the kept histories leave them out."""
    data = json.loads(text)

    def scrub(node: object) -> None:
        if isinstance(node, dict):
            if "stackTrace" in node:
                node["stackTrace"] = ""
            for value in node.values():
                scrub(value)
        elif isinstance(node, list):
            for value in node:
                scrub(value)

    scrub(data)
    return json.dumps(data, indent=2, ensure_ascii=False)


async def record(name: str, app, vies: str) -> Path:  # type: ignore[no-untyped-def]
    # One server per path: each its own clock (a waiting workflow would hold it still).
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER))
    try:
        await ensure_search_attributes(env.client, "default")
        httpx.post(f"{vies}/_control/reset", timeout=5)
        overrides = {"company_name": NAMES[name]} if name in NAMES else {}
        reg = make_registration(app, email=f"{name}@workshop.hu", language="en", **overrides)
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as executor:
            async with build_worker(
                env.client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
            ):
                handle = await start(env.client, app, reg)
                await SCENARIOS[name](env, handle, vies, app)
                status = await asyncio.wait_for(handle.result(), 120)
                history = await handle.fetch_history()
    finally:
        await env.shutdown()
    path = HISTORIES / f"{name}.json"
    path.write_text(_without_stack_traces(history.to_json()), encoding="utf-8")
    print(f"{name} {status} {len(history.events)} events -> {path}")
    return path


async def main(names: list[str]) -> None:
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown path(s): {', '.join(sorted(unknown))}; known: {list(SCENARIOS)}")
    HISTORIES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/histories.db"
        engine = make_engine(database)
        create_schema(engine)
        engine.dispose()
        smtp_port, stop_smtp = start_catcher(Path(tmp) / "mail")
        vies, stop_vies = serve_in_thread()
        settings = load_settings(make_env(database, smtp_port, vies))
        app = create_app(settings, overrides={"TESTING": True})
        try:
            for name in names or list(SCENARIOS):
                await record(name, app, vies)
            print(f"mail sent while recording: {len(list_messages(Path(tmp) / 'mail'))}")
        finally:
            app.extensions["aos_temporal"].close()
            app.extensions["aos_engine"].dispose()
            stop_vies()
            stop_smtp()


if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)  # activity retries are expected here
    asyncio.run(main(sys.argv[1:]))
