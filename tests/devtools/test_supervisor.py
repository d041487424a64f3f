"""The process supervisor behind ``make run``: no process outlives it."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devtools.process_groups import pdeathsig_prefix
from devtools.readiness import Readiness
from devtools.supervisor import ProcessSpec, Supervisor

HELPER = Path(__file__).with_name("supervise_dummies.py")
PY = sys.executable

# Each dummy writes its pid to argv[1] (atomically) and sleeps.
SLEEPER = (
    "import os, sys, time\n"
    "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\n"
    "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
    "time.sleep(60)\n"
)
# ... and this one first starts a grandchild that even ignores SIGTERM.
STUBBORN = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + SLEEPER
SPAWNER = (
    "import subprocess, sys\n"
    f"subprocess.Popen([sys.executable, '-c', {STUBBORN!r}, sys.argv[2]])\n" + SLEEPER
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie nobody has reaped yet is gone for our purposes
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Dummies:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.pid_files: list[Path] = []
        self.procs: list[subprocess.Popen[str]] = []

    def pid_file(self, name: str) -> str:
        path = self.tmp / f"{name}.pid"
        self.pid_files.append(path)
        return str(path)

    def pids(self) -> list[int]:
        return [int(p.read_text()) for p in self.pid_files if p.exists()]

    def start(self, specs: list[dict], stop_timeout: float = 2.0) -> subprocess.Popen[str]:
        config = self.tmp / "config.json"
        config.write_text(json.dumps({"specs": specs, "stop_timeout": stop_timeout}))
        proc = subprocess.Popen(
            [PY, str(HELPER), str(config)],
            cwd=self.tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def cleanup(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)
        for pid in self.pids():
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def dummies(tmp_path: Path) -> Iterator[Dummies]:
    d = Dummies(tmp_path)
    yield d
    d.cleanup()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_signal_stops_every_process_including_grandchildren(
    dummies: Dummies, signum: signal.Signals
) -> None:
    specs = [
        {"name": "sleeper", "argv": [PY, "-c", SLEEPER, dummies.pid_file("sleeper")]},
        {
            "name": "spawner",
            "argv": [PY, "-c", SPAWNER, dummies.pid_file("spawner"), dummies.pid_file("grand")],
        },
    ]
    supervisor = dummies.start(specs)
    _wait_for(lambda: len(dummies.pids()) == 3, 20, "three dummy pids")
    assert all(_alive(pid) for pid in dummies.pids())

    supervisor.send_signal(signum)
    output, _ = supervisor.communicate(timeout=20)

    assert supervisor.returncode == 0, output
    assert f"{signum.name} received, stopping everything" in output
    assert "SUPERVISOR READY" in output
    assert "spawner is still running; sending SIGKILL" in output  # the stubborn grandchild
    _wait_for(lambda: not any(_alive(pid) for pid in dummies.pids()), 5, "all dummies gone")


def test_child_exiting_early_stops_the_rest_and_fails(dummies: Dummies) -> None:
    specs = [
        {"name": "sleeper", "argv": [PY, "-c", SLEEPER, dummies.pid_file("sleeper")]},
        {"name": "quitter", "argv": [PY, "-c", "import sys, time; time.sleep(1); sys.exit(3)"]},
    ]
    supervisor = dummies.start(specs)
    output, _ = supervisor.communicate(timeout=30)

    assert supervisor.returncode != 0, output
    assert "quitter exited unexpectedly (exit code 3)" in output
    [pid] = dummies.pids()
    _wait_for(lambda: not _alive(pid), 5, "sleeper gone")


@pytest.mark.skipif(not pdeathsig_prefix(), reason="needs Linux and setpriv --pdeathsig")
def test_children_die_even_when_the_supervisor_is_killed(dummies: Dummies) -> None:
    specs = [{"name": "sleeper", "argv": [PY, "-c", SLEEPER, dummies.pid_file("sleeper")]}]
    supervisor = dummies.start(specs)
    _wait_for(lambda: len(dummies.pids()) == 1, 20, "the dummy pid")

    supervisor.kill()  # SIGKILL: no chance to clean up
    supervisor.communicate(timeout=10)

    [pid] = dummies.pids()
    _wait_for(lambda: not _alive(pid), 5, "sleeper gone")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_in_process(tmp_path: Path, specs: list[ProcessSpec]) -> tuple[int, str]:
    out = io.StringIO()
    supervisor = Supervisor(os.environ, tmp_path, out=out, colour=False, stop_timeout=2)
    return supervisor.run(specs), out.getvalue()


def test_failing_one_shot_command_aborts_startup(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    specs = [
        ProcessSpec("sleeper", (PY, "-c", SLEEPER, str(pid_file))),
        ProcessSpec("init-db", (PY, "-c", "print('no schema'); raise SystemExit(4)"), oneshot=True),
        ProcessSpec("never", (PY, "-c", "raise SystemExit('must not start')")),
    ]
    rc, output = _run_in_process(tmp_path, specs)

    assert rc == 1
    assert "init-db | no schema" in output
    assert "error: init-db failed (exit code 4)" in output
    assert "must not start" not in output
    assert not _alive(int(pid_file.read_text()))


def test_one_shot_command_gets_stdin_without_echoing_it(tmp_path: Path) -> None:
    reader = "import sys; assert sys.stdin.read() == 'secret\\n'; print('password read')"
    specs = [ProcessSpec("admin", (PY, "-c", reader), oneshot=True, stdin="secret\n")]
    rc, output = _run_in_process(tmp_path, specs)
    assert rc == 0, output
    assert "admin | password read" in output
    assert "secret" not in output


def test_one_shot_waits_for_earlier_services_to_be_ready(tmp_path: Path) -> None:
    port = _free_port()
    address = f"('127.0.0.1', {port})"
    server = (
        f"import socket, time; time.sleep(1); s = socket.create_server({address}); "
        "print('listening', flush=True); time.sleep(60)"
    )
    client = f"import socket; socket.create_connection({address}, timeout=2).close()"
    specs = [
        ProcessSpec("server", (PY, "-c", server), ready=Readiness(tcp=("127.0.0.1", port))),
        ProcessSpec("client", (PY, "-c", client), oneshot=True),
    ]
    out = io.StringIO()
    supervisor = Supervisor(os.environ, tmp_path, out=out, colour=False, stop_timeout=2)
    # Stop right after startup: ask for SIGTERM from on_ready, like a Ctrl-C.
    rc = supervisor.run(specs, on_ready=lambda: os.kill(os.getpid(), signal.SIGTERM))
    output = out.getvalue()
    assert rc == 0, output
    assert output.index("server is ready") < output.index("SIGTERM received")
    assert "client" not in output.replace("client |", "")  # no error lines from the client
    assert "error" not in output


def test_readiness_timeout_is_reported_and_cleans_up(tmp_path: Path) -> None:
    pid_file = tmp_path / "deaf.pid"
    ready = Readiness(tcp=("127.0.0.1", 9), timeout=1.0)
    specs = [ProcessSpec("deaf", (PY, "-c", SLEEPER, str(pid_file)), ready=ready)]
    started = time.monotonic()
    rc, output = _run_in_process(tmp_path, specs)

    assert rc == 1
    assert "deaf was not ready within 1 s (waiting for TCP 127.0.0.1:9" in output
    assert time.monotonic() - started < 10
    assert not _alive(int(pid_file.read_text()))


def test_missing_executable_is_a_clear_error(tmp_path: Path) -> None:
    rc, output = _run_in_process(tmp_path, [ProcessSpec("ghost", ("/nonexistent/temporal",))])
    assert rc == 1
    assert "error: ghost: cannot find executable /nonexistent/temporal" in output
