"""Production topology tests: migrations, processes (gunicorn, worker), refusals, health,
metrics, logs, security headers and the compose file. They reuse the web tests' dev
Temporal server."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import httpx

from tests.browser.conftest import browser, page, site, site_factory  # noqa: F401
from tests.webapp.conftest import loop_thread, running_worker, temporal_address  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Variables of the app that must not leak from the developer's shell into a child process.
APP_VARIABLES = (
    "AOS_ENV SECRET_KEY DATABASE_URL VIES_URL AOS_ALLOW_LOCAL_VIES AOS_BEHIND_PROXY LOG_FORMAT "
    "TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_TASK_QUEUE MAIL_SERVER MAIL_PORT "
    "PROMETHEUS_MULTIPROC_DIR WORKER_METRICS_ADDRESS METRICS_TOKEN WEB_CONCURRENCY PORT "
    "GUNICORN_BIND"
).split()


# The invoice settings production requires (core/production.py), a sample seller.
SELLER = {
    "INVOICE_SERIES": "AOS",
    "SELLER_NAME": "AOS Portál Kft.",
    "SELLER_ADDRESS": "1117 Budapest, Minta utca 1.",
    "SELLER_VAT_NUMBER": "10537914-2-44",
    "SELLER_BANK_ACCOUNT": "11700000-00000000-00000000",
    "SELLER_REGISTRATION_NUMBER": "01-09-000000",
}


def child_env(**values: str) -> dict[str, str]:
    """The environment of a child process: this one's, without the app's variables, plus
    `values`."""
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0, proc=None) -> httpx.Response:  # type: ignore[no-untyped-def]
    """The first answer of `url` (any status), failing early if `proc` died."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} before {url} answered")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
