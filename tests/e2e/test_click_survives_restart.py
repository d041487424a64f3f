"""A click is never lost (issue 21): a person's action survives a Temporal server killed,
or a worker killed, inside the workflow task that accepts it.

Seen from outside: an applicant's confirmation POST landed while Temporal was stopping; the
Update was accepted in a workflow task whose completion never reached the history, the
local activity in that task had already written AWAITING_REVIEW and email_confirmed_at,
the link then said "already confirmed", and the workflow, which never had the click,
expired the registration.

Here the real dev server runs on a file store, the real worker (tests/e2e/held_worker.py:
worker.build_worker with a hold inside the accepting task) in its own process, and the web
app in this one. Each action is held in its accepting task, then Temporal is killed with
SIGKILL and restarted (the confirmation), or the worker is killed with SIGKILL and another
started (the approval). Nobody clicks twice: the stored action is delivered again by the
worker's sweep. Meanwhile the records never show the unapplied state, and no account is
active before the history holds the approval.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.sweep import StartSweep
from bench.stack import free_port, temporal_argv
from core.models import Account, PersonAction, Registration
from core.temporal_setup import ensure_search_attributes
from core.tokens import status_token
from tests.conftest import make_env
from tests.e2e.test_worker_killed import wait_for as bounded_wait
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_admin_auth import console_login, make_console_account
from tests.webapp.test_admin_changes import _ask, _reviewer
from tests.webapp.test_admin_decisions import APPLICANT
from workflows import contracts as c

REPO = Path(__file__).resolve().parents[2]
BOUND = 90.0


def wait_for(check: Callable[[], Any], what: str, timeout: float = BOUND) -> Any:
    """test_worker_killed's bounded wait, with a default bound."""
    return bounded_wait(check, timeout, what)


class Processes:
    """Temporal on a file store and the held worker, each killable with SIGKILL."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.env = {**env, "TEMPORAL_ADDRESS": f"127.0.0.1:{self.port}"}
        self.temporal: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.workers = 0

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        with open(self.workdir / f"{name}.log", "ab") as log:  # the child keeps its copy
            return subprocess.Popen(
                argv,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_temporal(self, loop_thread) -> None:  # type: ignore[no-untyped-def]
        argv = temporal_argv(self.port, self.workdir / "temporal.db")
        self.temporal = self._spawn("temporal", argv, dict(os.environ))

        async def ready() -> None:
            client = await Client.connect(self.env["TEMPORAL_ADDRESS"])
            await ensure_search_attributes(client, "default")

        deadline = time.monotonic() + BOUND
        while True:
            try:
                loop_thread.run(ready(), timeout=10)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def kill_temporal(self) -> None:
        assert self.temporal is not None
        os.killpg(self.temporal.pid, signal.SIGKILL)
        self.temporal.wait(30)
        self.temporal = None

    def start_worker(self, hold: str = "") -> None:
        assert self.worker is None
        self.workers += 1
        env = {
            **self.env,
            "AOS_HOLD_UPDATES": hold,
            "AOS_HOLD_DIR": str(self.workdir),
            "TEMPORAL_DEBUG": "1" if hold else "",
            "PYTHONUNBUFFERED": "1",
        }
        name = f"worker-{self.workers}"
        self.worker = self._spawn(name, [sys.executable, "-m", "tests.e2e.held_worker"], env)
        log = self.workdir / f"{name}.log"
        proc = self.worker

        def polling() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited: {log.read_text()}")
            return b"Worker polling" in log.read_bytes()

        wait_for(polling, f"{name} to poll")

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(30)
        self.worker = None

    def held(self, update: str) -> bool:
        return (self.workdir / f"held-{update}").exists()

    def release(self, update: str) -> None:
        (self.workdir / f"release-{update}").touch()

    def stop(self) -> None:
        for proc in (self.worker, self.temporal):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)


@pytest.fixture
def processes(clean_db, mailbox, vies, tmp_path, loop_thread) -> Iterator[Processes]:  # type: ignore[no-untyped-def]
    env = {**os.environ, **make_env(clean_db, mailbox.port, vies), "WORKER_METRICS_ADDRESS": ""}
    procs = Processes(tmp_path, env)
    try:
        procs.start_temporal(loop_thread)
        yield procs
    finally:
        procs.stop()


def _row(app, **where: str) -> Registration:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration)).one()


def _actions(app, kind: str) -> list[PersonAction]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return list(session.scalars(select(PersonAction).where(PersonAction.kind == kind)))


def _active_accounts(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return list(
            session.scalars(
                select(Account.email).where(Account.role == "applicant", Account.active.is_(True))
            )
        )


def _sweep_until_applied(app, loop_thread, address: str, kind: str) -> PersonAction:  # type: ignore[no-untyped-def]
    """The worker's own sweep (activities/sweep.py), run here so the test sees each pass."""

    async def sweep_once() -> None:
        client = await Client.connect(address)
        sessions, settings = app.extensions["aos_sessions"], app.config["SETTINGS"]
        await StartSweep(client, sessions, settings).sweep_once()

    def applied() -> PersonAction | None:
        loop_thread.run(sweep_once(), timeout=60)
        rows = _actions(app, kind)
        return rows[0] if rows and rows[0].applied_at is not None else None

    return wait_for(applied, f"the stored {kind} to be applied", timeout=120)


def _update_events(loop_thread, address: str, registration_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    async def history() -> list[str]:
        client = await Client.connect(address)
        handle = client.get_workflow_handle(c.workflow_id_for(registration_id))
        return [
            event.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
            async for event in handle.fetch_history_events()
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]

    return loop_thread.run(history(), timeout=30)


def test_a_confirmation_and_an_approval_survive_a_killed_temporal_and_worker(
    processes: Processes, make_app, mailbox, loop_thread
) -> None:
    address = processes.env["TEMPORAL_ADDRESS"]
    app = make_app({**processes.env, "PUBLIC_BASE_URL": "http://aos.test"})
    app.extensions["aos_temporal"].call_timeout = 4.0  # the page's patience, shortened
    processes.start_worker(hold=f"{c.UPDATE_CONFIRM_EMAIL},{c.UPDATE_DECIDE}")
    applicant = app.test_client()
    assert submit(applicant, lang="en").status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    confirm = re.search(r"http://aos\.test(/confirm/[\w.\-]+)", mail.text).group(1)
    wait_for(lambda: _row(app).status == "AWAITING_EMAIL_CONFIRMATION", "the confirmation step")

    # The click lands in a task that will never be completed: the page tells the truth.
    answer = applicant.post(confirm, data={"csrf_token": csrf_token(applicant, confirm)})
    assert processes.held(c.UPDATE_CONFIRM_EMAIL)
    assert answer.status_code == 202
    assert "It will be applied within a minute" in answer.get_data(as_text=True)
    row = _row(app)
    assert (row.status, row.email_confirmed_at) == ("AWAITING_EMAIL_CONFIRMATION", None)
    again = applicant.get(f"{confirm}?lang=en")
    assert again.status_code == 202
    assert "already confirmed" not in again.get_data(as_text=True)
    token = status_token(app.config["SETTINGS"].secret_key, row.id)
    status_page = applicant.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert "We have received your confirmation. It will be applied within a minute" in status_page

    # Temporal dies with the accepted Update only in its memory, and comes back.
    processes.kill_temporal()
    processes.release(c.UPDATE_CONFIRM_EMAIL)
    processes.start_temporal(loop_thread)
    row = _row(app)
    assert (row.status, row.email_confirmed_at) == ("AWAITING_EMAIL_CONFIRMATION", None)

    # Nobody clicks again: the sweep delivers the stored click, and it is applied once.
    confirmed = _sweep_until_applied(app, loop_thread, address, c.UPDATE_CONFIRM_EMAIL)
    assert confirmed.result == {"value": "AWAITING_REVIEW"}
    wait_for(lambda: _row(app).status == "AWAITING_REVIEW", "the record to follow")
    assert _row(app).email_confirmed_at is not None
    ids = _update_events(loop_thread, address, _row(app).id)
    assert ids.count(f"confirm-{_row(app).id}") == 1

    # The approval is held the same way; this time the worker is killed.
    make_console_account(app, roles="reviewer")
    reviewer = app.test_client()
    console_login(reviewer, app)
    path = f"/admin/registrations/{_row(app).id}"
    page = reviewer.get(f"{path}?lang=en").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    form = {"csrf_token": csrf_token(reviewer, path), "nonce": nonce, "action": "approve"}
    reviewer.post(f"{path}/decision", data={**form, "reason": ""})
    assert processes.held(c.UPDATE_DECIDE)
    told = reviewer.get(f"{path}?lang=en").get_data(as_text=True)
    assert "Your decision was received. It will be applied within a minute" in told
    assert 'id="answer-waiting"' in told and 'value="approve"' not in told  # no second answer
    assert 'data-kind="decide" data-outcome="pending"' in told
    assert _row(app).status == "AWAITING_REVIEW"
    assert _active_accounts(app) == []  # not before the history holds the approval

    processes.kill_worker()
    assert _active_accounts(app) == []
    processes.start_worker()
    decided = _sweep_until_applied(app, loop_thread, address, c.UPDATE_DECIDE)
    assert decided.result["value"]["status"] == "APPROVED"
    wait_for(lambda: _row(app).status == "APPROVED", "the approval in the record")
    assert _active_accounts(app) == [APPLICANT]
    assert [a.id for a in _actions(app, c.UPDATE_DECIDE)] == [decided.id]
    ids = _update_events(loop_thread, address, _row(app).id)
    assert ids.count(decided.id) == 1
    shown = reviewer.get(f"{path}?lang=en").get_data(as_text=True)
    assert 'data-kind="decide" data-outcome="applied"' in shown


def test_a_request_for_changes_and_a_correction_survive_a_killed_temporal_and_worker(
    processes: Processes, make_app, mailbox, loop_thread
) -> None:
    address = processes.env["TEMPORAL_ADDRESS"]
    app = make_app({**processes.env, "PUBLIC_BASE_URL": "http://aos.test"})
    app.extensions["aos_temporal"].call_timeout = 4.0
    processes.start_worker(hold=f"{c.UPDATE_ASK_FOR_CHANGES},{c.UPDATE_SUBMIT_CORRECTION}")
    applicant = app.test_client()
    assert submit(applicant, lang="en").status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    confirm = re.search(r"http://aos\.test(/confirm/[\w.\-]+)", mail.text).group(1)
    wait_for(lambda: _row(app).status == "AWAITING_EMAIL_CONFIRMATION", "the confirmation step")
    applicant.post(confirm, data={"csrf_token": csrf_token(applicant, confirm)})
    wait_for(lambda: _row(app).status == "AWAITING_REVIEW", "the review")
    reg_id = _row(app).id

    reviewer = _reviewer(app)
    _ask(reviewer, reg_id, ["phone"], "Please give the workshop's phone number.")
    assert processes.held(c.UPDATE_ASK_FOR_CHANGES)
    told = reviewer.get(f"/admin/registrations/{reg_id}?lang=en").get_data(as_text=True)
    assert "Your request for changes was received. It will be applied within a minute" in told
    processes.kill_temporal()
    processes.release(c.UPDATE_ASK_FOR_CHANGES)
    processes.start_temporal(loop_thread)
    assert _row(app).status == "AWAITING_REVIEW"  # not before the history has the request
    _sweep_until_applied(app, loop_thread, address, c.UPDATE_ASK_FOR_CHANGES)
    wait_for(lambda: _row(app).status == "CHANGES_REQUESTED", "the round in the record")
    texts = [m.text for m in mailbox.wait_for(APPLICANT, 2)]
    assert any("Please give the workshop's phone number." in text for text in texts)

    token = status_token(app.config["SETTINGS"].secret_key, reg_id)
    sent = _post_correction(applicant, token, phone="+36 30 765 4321")
    assert processes.held(c.UPDATE_SUBMIT_CORRECTION)
    assert sent.status_code == 202
    assert _row(app).status == "CHANGES_REQUESTED"
    processes.kill_worker()
    processes.start_worker()
    corrected = _sweep_until_applied(app, loop_thread, address, c.UPDATE_SUBMIT_CORRECTION)
    assert corrected.result["value"]["accepted"] is True
    wait_for(lambda: _row(app).status == "AWAITING_REVIEW", "back in review")
    assert _row(app).phone == "+36 30 765 4321"
    ids = _update_events(loop_thread, address, reg_id)
    assert ids.count(corrected.id) == 1
    assert len([i for i in ids if i.startswith("changes-")]) == 1


def _post_correction(client, token: str, **values: str):  # type: ignore[no-untyped-def]
    path = f"/changes/{token}"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **values})


def test_a_rejection_survives_a_killed_worker(
    processes: Processes, make_app, mailbox, loop_thread
) -> None:
    address = processes.env["TEMPORAL_ADDRESS"]
    app = make_app({**processes.env, "PUBLIC_BASE_URL": "http://aos.test"})
    app.extensions["aos_temporal"].call_timeout = 4.0
    processes.start_worker(hold=c.UPDATE_DECIDE)
    applicant = app.test_client()
    assert submit(applicant, lang="en").status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    wait_for(lambda: _row(app).status == "AWAITING_EMAIL_CONFIRMATION", "the confirmation step")
    reg_id = _row(app).id
    confirm = re.search(r"http://aos\.test(/confirm/[\w.\-]+)", mail.text).group(1)
    applicant.post(confirm, data={"csrf_token": csrf_token(applicant, confirm)})
    wait_for(lambda: _row(app).status == "AWAITING_REVIEW", "the review")
    make_console_account(app, roles="reviewer")
    reviewer = app.test_client()
    console_login(reviewer, app)
    path = f"/admin/registrations/{reg_id}"
    page = reviewer.get(f"{path}?lang=en").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    form = {
        "csrf_token": csrf_token(reviewer, path),
        "nonce": nonce,
        "action": "reject",
        "confirmed": "yes",  # Reject asks first (the confirmation page)
    }
    reviewer.post(f"{path}/decision", data={**form, "reason": "Not an independent workshop."})
    assert processes.held(c.UPDATE_DECIDE)
    assert _row(app).status == "AWAITING_REVIEW"
    processes.kill_worker()
    processes.start_worker()
    _sweep_until_applied(app, loop_thread, address, c.UPDATE_DECIDE)
    wait_for(lambda: _row(app).status == "REJECTED", "the rejection in the record")
    assert _row(app).rejection_reason == "Not an independent workshop."
    assert _active_accounts(app) == []
