"""Issue 12: a decision whose Update times out (no worker picks it up) is told apart from
a refusal (issue 21: as received, to be applied within a minute); it lands once a worker
is back; a repeated click is not blamed on "another administrator"; and the bridge leaves
no unretrieved task exception in the log."""

from __future__ import annotations

import concurrent.futures
import gc
import logging
import re

from sqlalchemy import select
from temporalio.client import Client

from core.models import AuditEntry
from tests.webapp.conftest import csrf_token
from tests.webapp.test_admin_auth import console_login, make_console_account
from tests.webapp.test_admin_decisions import _wait_status, in_review
from workerapp.build import build_worker


def _own_worker(loop_thread, app):  # type: ignore[no-untyped-def]
    """A worker this test can stop (the running_worker fixture's stay up)."""
    settings = app.config["SETTINGS"]
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=20)

    async def make():  # type: ignore[no-untyped-def]
        return build_worker(
            await Client.connect(settings.temporal_address),
            app.config["SETTINGS"],
            app.extensions["aos_sessions"],
            executor,
        )

    worker = loop_thread.run(make())
    loop_thread.spawn(worker.run())
    return worker, executor


def _post_decision(client, reg_id: str, nonce: str):  # type: ignore[no-untyped-def]
    path = f"/admin/registrations/{reg_id}"
    form = {"csrf_token": csrf_token(client, path), "nonce": nonce, "action": "approve"}
    client.post(f"{path}/decision", data={**form, "reason": ""})
    return client.get(f"{path}?lang=en").get_data(as_text=True)


def test_a_timed_out_decision_is_not_called_a_refusal(
    web_env, make_app, loop_thread, mailbox, caplog
):
    app = make_app(web_env)
    worker, executor = _own_worker(loop_thread, app)
    try:
        reg = in_review(app, mailbox)
    finally:
        loop_thread.run(worker.shutdown())
    app.extensions["aos_temporal"].call_timeout = 3.0  # the console's patience, shortened
    make_console_account(app, roles="reviewer")
    admin = app.test_client()
    console_login(admin, app)

    caplog.set_level(logging.INFO)
    page = _post_decision(admin, reg.id, "first")
    assert "Your decision was received. It will be applied within a minute" in page
    assert "Another administrator" not in page
    gc.collect()  # an unretrieved task exception is reported when the task is collected
    assert "never retrieved" not in caplog.text
    with app.extensions["aos_sessions"]() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "registration.decision_refused" not in actions  # nothing was refused

    # A worker comes back: the decision sent earlier is carried out.
    worker, executor2 = _own_worker(loop_thread, app)
    try:
        assert _wait_status(app, "APPROVED").decided_by == "admin@aos.test"
        mailbox.wait_for("peter@kovacs-auto.hu", 2)
        # Clicking again from a stale page is answered as the reviewer's own decision.
        again = _post_decision(admin, reg.id, "second")
    finally:
        loop_thread.run(worker.shutdown())
        executor.shutdown(wait=False)
        executor2.shutdown(wait=False)
    assert "Another administrator" not in again
    assert re.search(r"no longer waiting for review|earlier decision", again)
