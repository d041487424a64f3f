"""The production processes for real: gunicorn with two workers and `python worker.py`,
against the test database (PostgreSQL under .ci/run) and a dev Temporal server.

On PostgreSQL they run with AOS_ENV=production (the VIES stand-in allowed explicitly); on
SQLite, which production refuses, with AOS_ENV=testing."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from core.db import make_engine
from core.models import Registration
from tests.conftest import make_env
from tests.production.conftest import BIN, REPO, SELLER, child_env, free_port, wait_http
from tests.webapp.conftest import VALID_FORM
from workerapp.build import GRACEFUL_SHUTDOWN
from workflows import contracts as c

METRICS_TOKEN = "metrics-token-for-the-process-tests"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class System:
    """Processes started for one test; all stopped at its end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen] = {}
        self.files: list = []  # type: ignore[type-arg]
        self.base = ""
        self.worker_metrics = ""

    def _start(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        self.files.append(log)
        proc = subprocess.Popen(
            argv, cwd=REPO, env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs[name] = proc
        return proc

    def start_web(self, workers: int = 2) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        argv = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py"]
        proc = self._start(
            "web",
            [*argv, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            PROMETHEUS_MULTIPROC_DIR=str(self.logs / "prometheus"),
        )
        assert wait_http(f"{self.base}/livez", proc=proc).status_code == 200

    def start_worker(self) -> subprocess.Popen:
        self.worker_metrics = f"127.0.0.1:{free_port()}"
        proc = self._start(
            "worker", [sys.executable, "worker.py"], WORKER_METRICS_ADDRESS=self.worker_metrics
        )
        self.wait_log("worker", "Worker polling task queue")
        return proc

    def log_lines(self, name: str) -> list[str]:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8").splitlines()

    def json_log(self, name: str) -> list[dict]:
        """The process's log, every line a JSON object (LOG_FORMAT=json)."""
        return [json.loads(line) for line in self.log_lines(name) if line.strip()]

    def wait_log(self, name: str, text: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for record in self.json_log(name):
                if text in record["message"]:
                    return record
            proc = self.procs[name]
            assert proc.poll() is None, f"{name} exited {proc.returncode}: {self.log_lines(name)}"
            assert time.monotonic() < deadline, f"{text!r} not in {name}'s log"
            time.sleep(0.1)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.files:
            log.close()


@pytest.fixture
def system(clean_db, mailbox, vies, temporal_address, tmp_path):  # type: ignore[no-untyped-def]
    production = clean_db.startswith("postgresql")
    env = child_env(
        **make_env(
            clean_db,
            mailbox.port,
            vies,
            TEMPORAL_ADDRESS=temporal_address,
            AOS_ENV="production" if production else "testing",
            AOS_ALLOW_LOCAL_VIES="1",
            LOG_FORMAT="json",
            METRICS_TOKEN=METRICS_TOKEN,
            **SELLER,
        )
    )
    running = System(env, tmp_path)
    yield running
    running.stop()


def _readyz_by_pid(base: str, count: int) -> list[int]:
    def one(_: int) -> int:
        response = httpx.get(f"{base}/readyz", headers={"Connection": "close"}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json() == {"database": True, "temporal": True, "ok": True}
        return response.status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(one, range(count)))


def _counter(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def test_gunicorn_workers_answer_readyz_and_share_metrics(system: System) -> None:
    system.start_web(workers=2)
    sent = 0
    pids: set[int] = set()
    while len(pids) < 2 and sent < 120:
        sent += len(_readyz_by_pid(system.base, 12))
        time.sleep(0.3)  # the access log is written after the answer
        pids = {
            r["pid"]
            for r in system.json_log("web")
            if r["logger"] == "gunicorn.access" and r["http"]["path"] == "/readyz"
        }
    assert len(pids) == 2, f"one worker answered all {sent} requests"
    assert httpx.get(f"{system.base}/livez").json() == {"ok": True}

    assert httpx.get(f"{system.base}/metrics").status_code == 401
    metrics = httpx.get(f"{system.base}/metrics", headers=METRICS_AUTH).text
    readyz = {"method": "GET", "endpoint": "health.readyz", "status": "200"}
    assert _counter(metrics, "aos_http_requests_total", **readyz) == sent  # both workers
    assert _counter(metrics, "aos_http_request_duration_seconds_count", endpoint="health.readyz")

    page = httpx.get(f"{system.base}/?lang=en")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_registering_through_gunicorn_and_the_worker_process(system: System, mailbox) -> None:  # type: ignore[no-untyped-def]
    system.start_worker()
    system.start_web(workers=2)
    httpx.post(f"{system.env['VIES_URL']}/_control/fail-next", json={"count": 1}, timeout=5)
    with httpx.Client(base_url=system.base, timeout=30, follow_redirects=True) as client:
        token = TOKEN.search(client.get("/register/one-page?lang=en").text).group(1)
        answer = client.post("/register/one-page", data={**VALID_FORM, "csrf_token": token})
    assert answer.status_code == 200 and "/status/" in str(answer.url)

    engine = make_engine(system.env["DATABASE_URL"])
    with engine.connect() as conn:
        registration_id = conn.execute(select(Registration.id)).scalar_one()
    engine.dispose()
    # The activity's warning (VIES unavailable once) carries the registration id.
    retry = system.wait_log("worker", "VIES unavailable")
    assert retry["registration_id"] == registration_id and retry["level"] == "WARNING"
    assert retry["temporal_activity"]["activity_type"] == c.ACTIVITY_CHECK_VAT

    [mail] = mailbox.wait_for("peter@kovacs-auto.hu", timeout=60)  # after the retry
    assert "/confirm/" in mail.text

    metrics = httpx.get(f"http://{system.worker_metrics}/metrics", timeout=10).text
    assert re.search(r"^temporal_\w+", metrics, re.M), metrics[:500]


def test_sigterm_lets_the_running_activity_finish_and_exits_0(
    system: System, mailbox, loop_thread
) -> None:  # type: ignore[no-untyped-def]
    worker = system.start_worker()
    system.start_web(workers=1)
    vies = system.env["VIES_URL"]
    httpx.post(f"{vies}/_control/latency", json={"seconds": 3}, timeout=5)
    client = httpx.Client(base_url=system.base, timeout=30, follow_redirects=True)
    token = TOKEN.search(client.get("/register/one-page?lang=en").text).group(1)
    with contextlib.closing(client), concurrent.futures.ThreadPoolExecutor(1) as pool:
        posted = pool.submit(
            client.post, "/register/one-page", data={**VALID_FORM, "csrf_token": token}
        )
        deadline = time.monotonic() + 30
        while httpx.get(f"{vies}/_control/calls", timeout=5).json()["calls"] == 0:
            assert time.monotonic() < deadline, "the VIES check never started"
            time.sleep(0.05)
        stopped_at = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(GRACEFUL_SHUTDOWN.total_seconds() + 10) == 0
        took = time.monotonic() - stopped_at
        assert posted.result(60).status_code == 200
    assert 2.0 < took < GRACEFUL_SHUTDOWN.total_seconds() + 10, took  # waited for the activity
    system.wait_log("worker", "Worker stopped", timeout=1)

    engine = make_engine(system.env["DATABASE_URL"])
    with engine.connect() as conn:
        registration_id = conn.execute(select(Registration.id)).scalar_one()
    engine.dispose()

    async def events() -> list[EventType.ValueType]:
        client = await Client.connect(system.env["TEMPORAL_ADDRESS"])
        handle = client.get_workflow_handle(c.workflow_id_for(registration_id))
        return [event.event_type for event in (await handle.fetch_history()).events]

    history = loop_thread.run(events())
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in history  # finished, not abandoned
    system.start_worker()  # the next worker carries on from the recorded result
    [mail] = mailbox.wait_for("peter@kovacs-auto.hu", timeout=60)
    assert "/confirm/" in mail.text
