"""Issue 12, recovery without a restart: `python worker.py` started while Temporal is
unreachable keeps trying instead of exiting, and once Temporal answers it starts the
registration and the outbox email the web app stored meanwhile (its periodic sweep)."""

from __future__ import annotations

import sys

from temporalio.testing import WorkflowEnvironment

from tests.conftest import TEMPORAL_CLI, make_env
from tests.production.conftest import child_env, free_port
from tests.production.test_processes import System
from tests.webapp.conftest import submit
from webapp.mailer import queue_email


def test_worker_waits_for_temporal_and_starts_what_was_stored(
    clean_db, mailbox, vies, make_app, loop_thread, tmp_path
):
    port = free_port()  # nothing listens here yet: Temporal is "down"
    address = f"127.0.0.1:{port}"
    env = make_env(clean_db, mailbox.port, vies, TEMPORAL_ADDRESS=address)
    system = System(child_env(**env, LOG_FORMAT="json", RESUME_SWEEP_INTERVAL="2s"), tmp_path)
    server = None
    try:
        worker = system._start("worker", [sys.executable, "worker.py"], WORKER_METRICS_ADDRESS="")
        system.wait_log("worker", "is not reachable (attempt 2)")
        assert worker.poll() is None  # still there, retrying

        # Meanwhile the web app keeps what applicants send.
        web = make_app(env)
        web.extensions["aos_temporal"].call_timeout = 3.0
        response = submit(web.test_client(), lang="en")
        assert response.status_code == 302
        with web.extensions["aos_sessions"]() as session:
            queue_email(
                session,
                web.extensions["aos_temporal"],
                kind="already_registered",
                recipient="someone@example.hu",
                language="en",
            )

        async def start_temporal() -> WorkflowEnvironment:
            return await WorkflowEnvironment.start_local(
                dev_server_existing_path=str(TEMPORAL_CLI),
                port=port,
                ui=False,
                dev_server_log_level="error",
            )

        server = loop_thread.run(start_temporal(), timeout=120)
        system.wait_log("worker", "Worker polling task queue", timeout=120)
        # No restart: the sweep hands both over and the emails arrive.
        [confirmation] = mailbox.wait_for("peter@kovacs-auto.hu", timeout=90)
        assert "/confirm/" in confirmation.text
        mailbox.wait_for("someone@example.hu", timeout=90)
        system.wait_log("worker", "stored while Temporal was unreachable")
        assert worker.poll() is None
    finally:
        system.stop()
        if server is not None:
            loop_thread.run(server.shutdown())
