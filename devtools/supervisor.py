"""A small foreground process supervisor for the development stack.

Every child runs in its own session (so its own process group): terminal signals reach only
the supervisor, which forwards SIGTERM to each whole group, waits, then SIGKILLs what is left.
Output is merged and prefixed with the child's coloured name. One-shot commands run to
completion in order; long-running ones are started together and waited for (readiness) before
the next one-shot command and at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from devtools.process_groups import describe_exit, group_alive, pdeathsig_prefix
from devtools.readiness import Readiness, probe

_COLOURS = ("36", "33", "35", "32", "34", "91", "96", "93")
_HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_POLL = 0.1


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]
    oneshot: bool = False  # runs to completion; non-zero exit aborts startup
    stdin: str | None = field(default=None, repr=False)  # fed to the process, then closed
    ready: Readiness | None = None
    binds: tuple[tuple[str, int], ...] = ()  # must be free before start
    timeout: float = 120.0  # one-shot commands only


class StartupError(Exception):
    """Startup cannot continue; the message is meant for the developer."""


class _Stop(Exception):
    pass


class _ChildFailed(Exception):
    pass


@dataclass
class _Child:
    spec: ProcessSpec
    proc: subprocess.Popen[bytes]
    started: float
    pump: threading.Thread


class Supervisor:
    def __init__(
        self,
        env: Mapping[str, str],
        cwd: str | Path,
        *,
        out: TextIO | None = None,
        colour: bool | None = None,
        stop_timeout: float = 10.0,
    ) -> None:
        self.env = dict(env)
        self.cwd = Path(cwd)
        self.out = out or sys.stdout
        if colour is None:
            colour = "NO_COLOR" not in os.environ and self.out.isatty()
        self.colour = colour
        self.stop_timeout = stop_timeout
        self._children: list[_Child] = []
        self._lock = threading.Lock()
        self._signals: list[int] = []
        self._width = 3
        self._prefixes: dict[str, str] = {}

    # output -------------------------------------------------------------------------------
    def _prefix(self, name: str) -> str:
        if name not in self._prefixes:
            code = _COLOURS[len(self._prefixes) % len(_COLOURS)] if name != "run" else "1"
            label = f"{name:<{self._width}} |"
            self._prefixes[name] = f"\033[{code}m{label}\033[0m " if self.colour else label + " "
        return self._prefixes[name]

    def _write(self, text: str) -> None:
        with self._lock:
            try:
                self.out.write(text)
                self.out.flush()
            except (OSError, ValueError):
                pass

    def log(self, message: str, name: str = "run") -> None:
        prefix = self._prefix(name)
        self._write("".join(f"{prefix}{line}\n" for line in message.splitlines() or [""]))

    def print_block(self, text: str) -> None:
        self._write(text if text.endswith("\n") else text + "\n")

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        prefix = self._prefix(name)
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self._write(f"{prefix}{line}\n")
        stream.close()

    # signals ------------------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: object) -> None:
        self._signals.append(signum)  # only record: the main loop polls

    def _check(self) -> None:
        if self._signals:
            raise _Stop
        for child in self._children:
            if not child.spec.oneshot and child.proc.poll() is not None:
                raise _ChildFailed(child)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self._check()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(_POLL, remaining))

    # starting -----------------------------------------------------------------------------
    def _preflight(self, spec: ProcessSpec) -> None:
        exe = spec.argv[0]
        if not (shutil.which(exe) if os.sep not in exe else os.access(exe, os.X_OK)):
            raise StartupError(f"{spec.name}: cannot find executable {exe}")
        for host, port in spec.binds:
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    pass
            except OSError:
                continue
            raise StartupError(
                f"{spec.name}: {host}:{port} is already in use (is another copy running?)"
            )

    def _spawn(self, spec: ProcessSpec) -> _Child:
        self._check()
        try:
            proc = subprocess.Popen(
                (*pdeathsig_prefix(), *spec.argv),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE if spec.stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise StartupError(f"{spec.name}: cannot start {spec.argv[0]}: {exc}") from exc
        pump = threading.Thread(
            target=self._pump, args=(spec.name, proc.stdout), name=f"pump-{spec.name}"
        )
        pump.daemon = True
        child = _Child(spec, proc, time.monotonic(), pump)
        self._children.append(child)
        pump.start()
        if spec.stdin is not None and proc.stdin is not None:
            try:
                proc.stdin.write(spec.stdin.encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
        return child

    def _run_oneshot(self, spec: ProcessSpec) -> None:
        child = self._spawn(spec)
        while (rc := child.proc.poll()) is None:
            if time.monotonic() - child.started > spec.timeout:
                raise StartupError(f"{spec.name} did not finish within {spec.timeout:g} s")
            self._sleep(_POLL)
        child.pump.join(timeout=2)
        self._children.remove(child)
        try:  # anything it left behind in its process group goes too
            os.killpg(child.proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        if rc != 0:
            raise StartupError(f"{spec.name} failed ({describe_exit(rc)})")

    def _wait_ready(self, children: Sequence[_Child]) -> None:
        for child in children:
            ready = child.spec.ready
            assert ready is not None
            while (why := probe(ready, self.env, self.cwd)) is not None:
                self._check()
                if time.monotonic() - child.started > ready.timeout:
                    raise StartupError(
                        f"{child.spec.name} was not ready within {ready.timeout:g} s "
                        f"(waiting for {ready.describe()}; last: {why})"
                    )
                self._sleep(0.25)
            self.log(f"{child.spec.name} is ready")

    # stopping -----------------------------------------------------------------------------
    def stop_all(self) -> None:
        """SIGTERM every child's process group, wait up to stop_timeout, then SIGKILL."""
        children, self._children = self._children, []
        seen = len(self._signals)
        for child in children:
            try:
                os.killpg(child.proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + self.stop_timeout
        alive = children
        while alive and time.monotonic() < deadline and len(self._signals) == seen:
            for child in alive:
                child.proc.poll()
            alive = [c for c in alive if group_alive(c.proc.pid)]
            if alive:
                time.sleep(0.05)
        for child in alive:
            self.log(f"{child.spec.name} is still running; sending SIGKILL")
            try:
                os.killpg(child.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for child in children:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.log(f"{child.spec.name} (pid {child.proc.pid}) is still running")
            child.pump.join(timeout=1)

    # the whole run ------------------------------------------------------------------------
    def run(self, specs: Sequence[ProcessSpec], on_ready: Callable[[], None] | None = None) -> int:
        """Start everything, then supervise. Returns 0 after a stop signal, 1 on failure."""
        self._width = max([3, *(len(s.name) for s in specs)])
        self._signals.clear()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in _HANDLED_SIGNALS:
                previous[sig] = signal.signal(sig, self._on_signal)
        try:
            for spec in specs:
                self._preflight(spec)
            pending: list[_Child] = []
            for spec in specs:
                if spec.oneshot:
                    self._wait_ready(pending)
                    pending = []
                    self._run_oneshot(spec)
                else:
                    child = self._spawn(spec)
                    if spec.ready:
                        pending.append(child)
            self._wait_ready(pending)
            if on_ready:
                on_ready()
            while any(not c.spec.oneshot for c in self._children):
                self._sleep(0.5)
            return 0
        except _Stop:
            name = signal.Signals(self._signals[0]).name
            self.log(f"{name} received, stopping everything")
            return 0
        except _ChildFailed as failed:
            child = failed.args[0]
            rc = child.proc.returncode
            self.log(f"{child.spec.name} exited unexpectedly ({describe_exit(rc)}); stopping")
            return 1
        except StartupError as exc:
            self.log(f"error: {exc}")
            return 1
        finally:
            if self._children:
                self.stop_all()
                self.log("all processes stopped")
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def supervise(
    specs: Sequence[ProcessSpec],
    *,
    env: Mapping[str, str],
    cwd: str | Path,
    on_ready: Callable[[], None] | None = None,
    stop_timeout: float = 10.0,
) -> int:
    """Run ``specs`` under a :class:`Supervisor`; returns the exit status for the caller."""
    return Supervisor(env, cwd, stop_timeout=stop_timeout).run(specs, on_ready)
