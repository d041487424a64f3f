"""The Temporal worker: `python worker.py`, configured only by the environment.

Refuses unsafe production settings (core/production.py), says what is wrong with the mail
and VIES settings, serves the Temporal SDK's metrics for Prometheus on
WORKER_METRICS_ADDRESS, and keeps the worker up (workerapp/supervise.py): Temporal
unreachable is retried with capped back-off, never an exit; every RESUME_SWEEP_INTERVAL the
sweep starts what the web app stored while Temporal was away, delivers people's actions
still pending and repairs records from their workflows. SIGTERM or SIGINT: stop polling,
let running activities finish (GRACEFUL_SHUTDOWN), exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv

from core import ast_threads
from core.db import make_engine, make_session_factory
from core.logging_setup import configure_logging
from core.production import startup_settings
from workerapp.checks import check_requester_vat, check_smtp
from workerapp.supervise import metrics_runtime, serve

log = logging.getLogger("aos.worker")


async def main() -> None:
    settings = startup_settings("aos-worker")
    configure_logging(settings.log_format)
    # Activity threads format tracebacks (ast.parse) side by side (core/ast_threads.py).
    ast_threads.install()
    engine = make_engine(settings.database_url)
    check_smtp(settings)
    check_requester_vat(settings)
    runtime = metrics_runtime(settings.worker_metrics_address)
    if runtime is not None:
        log.info(
            "Worker metrics for Prometheus on http://%s/metrics", settings.worker_metrics_address
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(make_session_factory(engine), settings, runtime, stop)
    engine.dispose()
    log.info("Worker stopped")


if __name__ == "__main__":
    # Flask's convention, as the `flask` command has it: the nearest .flaskenv/.env (make run
    # writes .env) fills in what the environment does not set; FLASK_SKIP_DOTENV=1 skips it.
    if get_load_dotenv():
        load_dotenv()
    asyncio.run(main())
