"""Prometheus metrics of the web app: requests by endpoint and status, and their latency.

GET /metrics answers in Prometheus' text format. Under gunicorn every worker process writes
its numbers to PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it up) and /metrics adds up
all of them, whichever worker answers. /metrics needs no login unless METRICS_TOKEN is set
(then `Authorization: Bearer <token>`); keep it off the public site at the reverse proxy.

The worker's metrics are the Temporal SDK's own (worker.py, WORKER_METRICS_ADDRESS).
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

REQUESTS = Counter(
    "aos_http_requests",
    "HTTP requests answered, by method, endpoint and status code.",
    ["method", "endpoint", "status"],
)
LATENCY = Histogram(
    "aos_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and endpoint.",
    ["method", "endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UNMATCHED = "<unmatched>"  # 404s and the like: not one label per probed URL


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def init_app(app: Flask, token: str | None, enabled: bool = True) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        endpoint = request.url_rule.endpoint if request.url_rule else UNMATCHED
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
        return response

    def metrics() -> Response:
        if token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                abort(401)
        response = Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response

    if enabled:
        app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
