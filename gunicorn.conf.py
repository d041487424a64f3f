"""gunicorn for the web app: `gunicorn -c gunicorn.conf.py` (the container's command).

- The app is created in each worker after fork (no preload): its own database pool and its
  own Temporal client, which the bridge connects lazily per process (webapp/temporal_bridge.py);
  `post_worker_init` makes that first connection before the worker takes requests.
- Production refusals (core/production.py) are checked once in the master, which then exits
  with status 2 and one line, instead of workers failing to boot over and over.
- Prometheus: every worker writes to PROMETHEUS_MULTIPROC_DIR, so /metrics adds up all
  workers; the directory is emptied when the master starts.
- Logs: JSON or text as LOG_FORMAT says (core/logging_setup.py), access log included.

Bind: 127.0.0.1:PORT unless GUNICORN_BIND says otherwise, so a host install is reachable only
through the reverse proxy on the same machine; the container image and docker-compose.yml bind
0.0.0.0 inside the container, whose only network is the compose one. Forwarded headers count
only from TRUSTED_PROXIES (webapp/proxies.py).

Tuning by environment: PORT (8000) or GUNICORN_BIND, WEB_CONCURRENCY (worker processes, 2),
GUNICORN_THREADS (threads per worker, 4), LOG_LEVEL (info).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

# Before anything imports prometheus_client: its storage is chosen at import time.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="aos-prometheus-")

from core.logging_setup import env_log_format, logging_dict  # noqa: E402

wsgi_app = "webapp:create_app()"
bind = [os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = False
# "Send Registration" may wait up to 8 s for VIES and a Temporal call up to 15 s.
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = logging_dict(env_log_format(), loglevel.upper())
# gunicorn's own X-Forwarded-Proto handling stays off; TRUSTED_PROXIES decides (the app).
forwarded_allow_ips = "127.0.0.1"
# No control socket under $HOME (gunicorn ≥ 24): signals manage the process, as in containers.
control_socket_disable = True


def on_starting(server: Any) -> None:
    from core.production import startup_settings

    startup_settings("aos-web")  # exits 2 with the reason
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def post_worker_init(worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    bridge = getattr(app, "extensions", {}).get("aos_temporal")
    if bridge is not None and not bridge.ping():
        worker.log.warning("Temporal does not answer yet; /readyz says 503 until it does")


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
