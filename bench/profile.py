"""`--py-spy DIR`: where the worker's and the web processes' time goes during a measurement.

py-spy samples each process from outside (no code change, no restart) while the lifecycle
part runs; the raw stacks go to DIR/<name>.txt (`name;frame;frame… count`, flamegraph.pl and
speedscope read them) and one line per process sums the busy samples by what they were
doing: argon2, page rendering, the database, SMTP, HTTP to VIES, the Temporal SDK, Flask.
Idle threads are not sampled, so the shares are of the time the process was busy.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.stack import BIN, Stack

RATE = 100  # samples per second: about 1% of a core for py-spy itself
# (category, what in a frame marks it), first match wins: a page that hashes a
# password counts as argon2, a database call inside a Temporal activity as the database.
CATEGORIES = (
    ("argon2", ("argon2",)),
    ("tls_setup", ("create_ssl_context", "load_verify_locations")),
    ("imports", ("importlib",)),
    ("smtp", ("smtplib", "flask_mail", "mail_app")),
    ("database", ("sqlalchemy", "sqlite3", "psycopg")),
    ("templates", ("jinja2", "flask_babel", "babel/")),
    ("vies_http", ("httpx", "httpcore")),
    ("forms", ("wtforms", "flask_wtf")),
    ("workflow_sandbox", ("workflow_sandbox",)),
    ("temporal_sdk", ("temporalio",)),
    ("flask", ("flask/", "werkzeug")),
    ("gunicorn", ("gunicorn",)),
)


def py_spy() -> Path:
    found = BIN / "py-spy"
    if found.exists():
        return found
    other = shutil.which("py-spy")
    if other is None:
        raise SystemExit("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    return Path(other)


# Where a thread that py-spy still counts as running is in fact waiting (the innermost
# frame): idle pool threads, event loops in select, a view waiting for Temporal.
IDLE = (
    "concurrent/futures/thread.py:81)",
    "(selectors.py:",
    "Condition.wait (threading.py",
    "Event.wait (threading.py",
)
# Waiting for another process's answer (VIES, SMTP, Temporal, the database server).
WAITING = ("readinto (socket.py", "recv_into", "SSLSocket.read", "SyncStream.read (httpcore")


def category(stack_text: str) -> str:
    frames = [frame for frame in stack_text.split(";") if not frame.startswith("process ")]
    innermost = frames[-1] if frames else ""
    if not frames or any(mark in innermost for mark in IDLE):
        return "idle"
    if any(mark in innermost for mark in WAITING):
        return "waiting"
    lowered = ";".join(frames).lower()
    for name, marks in CATEGORIES:
        if any(mark in lowered for mark in marks):
            return name
    return "other"


def summarize(raw: Path) -> dict[str, float]:
    """Busy samples by category as shares of all busy samples, and the busy and idle
    thread-seconds sampled."""
    counts: Counter[str] = Counter()
    if raw.exists():
        for line in raw.read_text(errors="replace").splitlines():
            stack_text, _, count = line.rpartition(" ")
            if stack_text and count.isdigit():
                counts[category(stack_text)] += int(count)
    idle = counts.pop("idle", 0)
    total = sum(counts.values())
    shares: dict[str, float] = {"busy_s": total / RATE, "idle_s": idle / RATE}
    for name, count in counts.most_common():
        shares[name] = count / total if total else 0.0
    return shares


@contextmanager
def profiled(
    stack: Stack, directory: Path, names: tuple[str, ...] = ("worker", "web")
) -> Iterator[dict[str, dict[str, float]]]:
    """Sample the named processes while the block runs; afterwards the dict it yields holds
    each one's shares (summarize())."""
    directory.mkdir(parents=True, exist_ok=True)
    binary = py_spy()
    samplers: dict[str, subprocess.Popen] = {}
    for name in names:
        argv = [str(binary), "record", "--format", "raw", "--rate", str(RATE)]
        argv += ["--pid", str(stack.procs[name].pid), "-o", str(directory / f"{name}.txt")]
        if name == "web":
            argv.append("--subprocesses")  # gunicorn's worker processes
        log = open(directory / f"{name}.py-spy.log", "wb")  # noqa: SIM115 - closed below
        samplers[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()
    results: dict[str, dict[str, float]] = {}
    try:
        yield results
    finally:
        for proc in samplers.values():
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for name, proc in samplers.items():
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if proc.returncode not in (0, -signal.SIGINT):
                log_text = (directory / f"{name}.py-spy.log").read_text(errors="replace")
                print(f"py-spy on {name}: {log_text.strip()[-300:]}", file=sys.stderr)
            results[name] = summarize(directory / f"{name}.txt")
