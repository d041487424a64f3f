"""The whole AOS Portal as separate processes on free ports, for measurements.

What `make bench` (and anything else that needs the production shape from outside) starts:
the Temporal dev server (in memory, or on a file store), the VIES stand-in, the database
schema, `python worker.py` and gunicorn with the project's own `gunicorn.conf.py`. Mail goes
to an in-process SMTP sink (bench/mailsink.py) so the driver can wait for a message without
reading a directory.

Not honcho or devtools.run: those run fixed development ports and print a banner for a
person; here every port is free, the processes are known by name (their RSS is read), and a
measurement must be able to stop or kill any one of them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.mailsink import MailSink
from devtools.run import SEARCH_ATTRIBUTES

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOCALHOST = "127.0.0.1"
# Variables of the app that must not leak from the caller's shell into the stack.
APP_VARIABLES = (
    "AOS_ENV SECRET_KEY DATABASE_URL VIES_URL AOS_ALLOW_LOCAL_VIES AOS_BEHIND_PROXY LOG_FORMAT "
    "TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_TASK_QUEUE MAIL_SERVER MAIL_PORT "
    "PROMETHEUS_MULTIPROC_DIR WORKER_METRICS_ADDRESS METRICS_TOKEN WEB_CONCURRENCY PORT "
    "GUNICORN_BIND GUNICORN_THREADS PUBLIC_BASE_URL CONFIRMATION_WINDOW REVIEW_SLA"
).split()
ADMIN_PASSWORD = "bench administrator password 1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def temporal_argv(port: int, db_file: Path | None = None) -> list[str]:
    """`temporal server start-dev` on `port`, its HTTP and metrics ports free too (their
    defaults are fixed, well-known ports), in memory or on `db_file`."""
    argv = [str(BIN / "temporal"), "server", "start-dev", "--ip", LOCALHOST, "--headless"]
    argv += ["--port", str(port), "--http-port", str(free_port())]
    argv += ["--metrics-port", str(free_port()), "--log-level", "error"]
    if db_file is not None:
        argv += ["--db-filename", str(db_file)]
    for attribute in SEARCH_ATTRIBUTES:
        argv += ["--search-attribute", attribute]
    return argv


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal the process's group (it was started in a session of its own, so its children
    hear it too) and wait; SIGKILL if it has not ended within `timeout`."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def children(pid: int) -> list[int]:
    """Direct children of `pid` (gunicorn's workers under its master)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(part) for part in text.split()]


def wait_until(check, timeout: float, what: str, proc=None) -> None:  # type: ignore[no-untyped-def]
    """Poll `check()` until it is true; fail with `what` after `timeout`, or early if `proc`
    exited (a stack that cannot start should say so at once)."""
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {timeout:.0f}s")
        time.sleep(0.1)


def _tcp_open(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class StackOptions:
    store: str = "memory"  # Temporal: "memory" or "file"
    web_processes: int = 2
    web_threads: int = 4
    confirmation_window: str = "48h"
    review_sla: str = "2d"
    extra_env: dict[str, str] = field(default_factory=dict)


class Stack:
    """Start with `with Stack.running(options) as stack:`; every process stops at the end."""

    def __init__(self, options: StackOptions, workdir: Path) -> None:
        self.options = options
        self.workdir = workdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.mail = MailSink()
        self.temporal_port = free_port()
        self.vies_port = free_port()
        self.web_port = free_port()
        self.base_url = f"http://{LOCALHOST}:{self.web_port}"
        self.temporal_address = f"{LOCALHOST}:{self.temporal_port}"
        self.env: dict[str, str] = {}

    @classmethod
    @contextmanager
    def running(cls, options: StackOptions) -> Iterator[Stack]:
        with tempfile.TemporaryDirectory(prefix="aos-bench-") as tmp:
            stack = cls(options, Path(tmp))
            try:
                stack.start()
                yield stack
            finally:
                stack.stop()

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log_path = self.workdir / f"{name}.log"
        self.logs[name] = log_path
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a stop reaches its children
            )
        self.procs[name] = proc
        return proc

    def start(self) -> None:
        self.mail.start()
        self.env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
        self.env.update(
            {
                "AOS_ENV": "development",
                "SECRET_KEY": "bench-secret-key-for-measurements-only-0123456789",
                "DATABASE_URL": f"sqlite:///{self.workdir / 'aos.db'}",
                "TEMPORAL_ADDRESS": self.temporal_address,
                "TEMPORAL_NAMESPACE": "default",
                "TEMPORAL_TASK_QUEUE": "aos-bench",
                "VIES_URL": f"http://{LOCALHOST}:{self.vies_port}",
                "MAIL_SERVER": LOCALHOST,
                "MAIL_PORT": str(self.mail.port),
                "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.bench>",
                "PUBLIC_BASE_URL": self.base_url,
                "ADMIN_NOTIFY_EMAILS": "reviewers@aos.bench",
                "CONFIRMATION_WINDOW": self.options.confirmation_window,
                "REVIEW_SLA": self.options.review_sla,
                "GUNICORN_BIND": f"{LOCALHOST}:{self.web_port}",
                "WEB_CONCURRENCY": str(self.options.web_processes),
                "GUNICORN_THREADS": str(self.options.web_threads),
                "WORKER_METRICS_ADDRESS": "",
                "PYTHONUNBUFFERED": "1",
                **self.options.extra_env,
            }
        )
        self.start_temporal()
        standin = [sys.executable, "-m", "vies.standin", "--host", LOCALHOST]
        vies = self._spawn("vies", [*standin, "--port", str(self.vies_port)])
        wait_until(lambda: _tcp_open(self.vies_port), 30, "VIES stand-in", vies)
        flask = [sys.executable, "-m", "flask", "--app", "webapp"]
        subprocess.run([*flask, "init-db"], cwd=REPO, env=self.env, check=True, capture_output=True)
        self.start_worker()
        web = self._spawn("web", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"])
        wait_until(lambda: _http_ok(f"{self.base_url}/healthz"), 90, "web (gunicorn)", web)

    def start_temporal(self) -> None:
        db_file = self.workdir / "temporal.db" if self.options.store == "file" else None
        proc = self._spawn("temporal", temporal_argv(self.temporal_port, db_file))
        describe = [str(BIN / "temporal"), "operator", "namespace", "describe", "default"]
        describe += ["--address", self.temporal_address]

        def namespace_ready() -> bool:
            done = subprocess.run(describe, capture_output=True, env=self.env, check=False)
            return done.returncode == 0

        wait_until(namespace_ready, 60, "Temporal dev server", proc)

    def start_worker(self) -> None:
        proc = self._spawn("worker", [sys.executable, "worker.py"])
        log = self.logs["worker"]
        wait_until(lambda: b"Worker polling" in log.read_bytes(), 60, "worker", proc)

    def create_admin(self, email: str) -> None:
        flask = [sys.executable, "-m", "flask", "--app", "webapp"]
        subprocess.run(
            [*flask, "create-admin", email, "--password-stdin"],
            cwd=REPO,
            env=self.env,
            input=ADMIN_PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )

    def rss(self, name: str) -> list[int]:
        """RSS of the named process; for the web, of each gunicorn worker process."""
        pid = self.procs[name].pid
        if name == "web":
            return [rss_bytes(child) for child in children(pid)]
        return [rss_bytes(pid)]

    def pids(self, name: str) -> list[int]:
        """The named process; for the web, gunicorn's master and its worker processes."""
        pid = self.procs[name].pid
        return [pid, *children(pid)] if name == "web" else [pid]

    def cpu(self, name: str) -> float:
        """CPU seconds used so far by the named process (the web: master and workers)."""
        return sum(cpu_seconds(pid) for pid in self.pids(name))

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop_group(proc)
        self.mail.stop()
