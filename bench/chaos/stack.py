"""The processes `make chaos` runs, each on a free port, and the faults it injects."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.stack import BIN, REPO, free_port, stop_group, temporal_argv
from devtools.mailcatcher import start_catcher

ADMIN_NOTIFY = "reviewers@chaos.test"
CALLER_ONLY = ("AOS_", "MAIL_", "STRIPE_")  # the caller's settings of these never leak in


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - a dependency down mid-fault: ask again
            pass
        time.sleep(step)
    return False


class Stack:
    def __init__(self, workdir: Path, database_url: str, window: str) -> None:
        self.dir = workdir
        self.database_url = database_url
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: list = []  # type: ignore[type-arg]
        self.temporal_port = free_port()
        self.web_port = free_port()
        self.vies_port = free_port()
        self.smtp_port = free_port()
        self.mail_dir = workdir / "mail"
        self._stop_smtp: Callable[[], None] | None = None
        # name -> (how many times started, its metrics address host:port)
        self.workers: dict[str, tuple[int, str]] = {}
        production = database_url.startswith("postgresql")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(CALLER_ONLY)},
            "PYTHONUNBUFFERED": "1",
            # Production refuses SQLite; on PostgreSQL the stack runs as production does.
            "AOS_ENV": "production" if production else "testing",
            "AOS_ALLOW_LOCAL_VIES": "1",
            "AOS_BEHIND_PROXY": "1",  # each simulated applicant has its own address
            "SECRET_KEY": "chaos-secret-key-not-for-production-use-0123456789",
            "DATABASE_URL": database_url,
            "TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "TEMPORAL_TASK_QUEUE": "aos-chaos",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@chaos.test>",
            "VIES_URL": f"http://127.0.0.1:{self.vies_port}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "ADMIN_NOTIFY_EMAILS": ADMIN_NOTIFY,
            "CONFIRMATION_WINDOW": window,
            "REVIEW_SLA": "2d",
            "RESUME_SWEEP_INTERVAL": "20s",
            "METRICS_TOKEN": "chaos-metrics-token",
            # Production refuses to start without a seller to print on invoices.
            "INVOICE_SERIES": "CHAOS",
            "SELLER_NAME": "AOS Portál Kft.",
            "SELLER_ADDRESS": "1117 Budapest, Minta utca 1.",
            "SELLER_VAT_NUMBER": "10537914-2-44",
            "SELLER_BANK_ACCOUNT": "11700000-00000000-00000000",
            "SELLER_REGISTRATION_NUMBER": "01-09-000000",
            # ... and without Stripe's keys; no run pays, so the real API is never called.
            "STRIPE_SECRET_KEY": "sk_test_chaos-never-used",
            "STRIPE_WEBHOOK_SECRET": "whsec_chaos-never-used",
            "LOG_FORMAT": "text",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "8",
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
        }
        (workdir / "prometheus").mkdir(exist_ok=True)

    # --- processes ------------------------------------------------------------------

    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("a")
        self.logs.append(log)
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def start_temporal(self) -> None:
        self._spawn("temporal", temporal_argv(self.temporal_port, self.dir / "temporal.db"))
        # The dev server answers gRPC once the frontend is up.
        if not wait_until(self._temporal_port_open, 60):
            raise RuntimeError("the Temporal dev server did not start")

    def _temporal_port_open(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.temporal_port)) == 0

    def stop_temporal(self) -> None:
        self._stop("temporal", signal.SIGTERM)

    def kill_temporal(self) -> None:
        """SIGKILL: no shutdown at all, whatever was in memory (admitted Updates) is gone."""
        self._stop("temporal", signal.SIGKILL)

    def start_vies(self) -> None:
        self._spawn("vies", [sys.executable, "-m", "vies.standin", "--port", str(self.vies_port)])
        if not wait_until(lambda: httpx.get(f"{self.vies_url}/health").status_code == 200, 30):
            raise RuntimeError("the VIES stand-in did not start")

    @property
    def vies_url(self) -> str:
        return f"http://127.0.0.1:{self.vies_port}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_smtp(self) -> None:
        _, self._stop_smtp = start_catcher(self.mail_dir, port=self.smtp_port)

    def stop_smtp(self) -> None:
        if self._stop_smtp is not None:
            self._stop_smtp()
            self._stop_smtp = None

    def start_worker(self, name: str) -> subprocess.Popen:
        # A new metrics port each start: the killed one's socket may linger a moment.
        address = f"127.0.0.1:{free_port()}"
        self.workers[name] = (self.workers.get(name, (0, ""))[0] + 1, address)
        env = {"WORKER_METRICS_ADDRESS": address}
        return self._spawn(name, [sys.executable, "worker.py"], env)

    def kill_worker(self, name: str) -> None:
        self._stop(name, signal.SIGKILL)

    def worker_log(self, name: str) -> str:
        return (self.dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def start_web(self) -> None:
        self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
            ],
        )
        if not wait_until(lambda: httpx.get(f"{self.base}/livez").status_code == 200, 60):
            raise RuntimeError("gunicorn did not start")

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def _stop(self, name: str, sig: int) -> None:
        proc = self.procs.get(name)
        if proc is not None:
            stop_group(proc, sig)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self._stop(name, signal.SIGTERM)
        self.stop_smtp()
        for log in self.logs:
            log.close()
