"""Readiness checks for supervised processes: a TCP port, a command, an HTTP endpoint."""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Readiness:
    """What "ready" means for a long-running process; every given check must pass."""

    tcp: tuple[str, int] | None = None  # accepts a TCP connection
    command: tuple[str, ...] | None = None  # exits 0
    http: str | None = None  # answers GET with 200
    timeout: float = 60.0

    def describe(self) -> str:
        parts = []
        if self.tcp:
            parts.append(f"TCP {self.tcp[0]}:{self.tcp[1]}")
        if self.command:
            parts.append(f"`{' '.join(self.command)}` to succeed")
        if self.http:
            parts.append(f"GET {self.http} -> 200")
        return " and ".join(parts)


def probe(ready: Readiness, env: Mapping[str, str], cwd: str | Path) -> str | None:
    """Run the checks once: None when ready, else why not (for the timeout message)."""
    if ready.tcp:
        try:
            with socket.create_connection(ready.tcp, timeout=1):
                pass
        except OSError as exc:
            return f"TCP {ready.tcp[0]}:{ready.tcp[1]}: {exc}"
    if ready.command:
        try:
            done = subprocess.run(
                ready.command,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=10,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return str(exc)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            return f"{ready.command[0]} exited {done.returncode}: {output[-300:]}"
    if ready.http:
        # Bypass any http_proxy from the environment: the target is always local.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(ready.http, timeout=2) as response:
                if response.status != 200:
                    return f"HTTP {response.status}"
        except (OSError, urllib.error.URLError) as exc:
            return f"GET {ready.http}: {exc}"
    return None
