"""`python -m nav.standin --port N` serves the API the client speaks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from nav.client import NavClient, NavConfig
from nav.dev import DEV_SOFTWARE, DEV_USER

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_stand_in_runs_as_a_process() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nav.standin", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # bounded wait for the port itself
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/invoiceService/v3"
        client = NavClient(NavConfig(api_url=url, user=DEV_USER, software=DEV_SOFTWARE))
        assert len(client.token_exchange()) > 30
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
