"""A local stand-in for the EU VIES REST API, for development, demos and tests.

It speaks the contract ViesClient uses (`POST /check-vat-number`, `GET /check-status`),
answers from a JSON file of sample companies (one or more per member state and XI, in their
real layouts), has `POST /check-vat-test-service` with the EU test service's numbers (100
valid, 200 invalid, 201... errors; accepted on check-vat-number too, for curl), and control
endpoints to make VIES slow, failing (as HTTP errors or inside 200 answers) or a member
state unavailable on demand, as the real one often is:

    POST /_control/fail-next   {"count": 3, "error": "MS_UNAVAILABLE", "style": "body200"}
    POST /_control/unavailable {"countries": ["DE"]}
    POST /_control/latency     {"seconds": 2}
    POST /_control/reset

    python -m vies.standin --host 127.0.0.1 --port 8089 [--data FILE]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from vies.standin_answers import (
    TEST_NUMBERS,
    VIES_CODES,
    answer,
    check,
    clean,
    error,
    error_body,
    load_companies,
)

__all__ = ["TEST_NUMBERS", "create_app", "load_companies", "serve_in_thread"]
# How a forced failure arrives: "error" (HTTP 4xx/5xx), "userError" or "body200" (HTTP 200
# with actionSucceed false and errorWrappers), as the EU service does at times.
FAIL_STYLES = frozenset({"error", "userError", "body200"})


@dataclass
class _State:
    """What the control endpoints change; shared by the server's request threads."""

    companies: dict[tuple[str, str], dict[str, str]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set to cut a configured latency short (reset, shutdown).
    wake: threading.Event = field(default_factory=threading.Event)
    fail_count: int = 0
    fail_error: str = "MS_UNAVAILABLE"
    fail_style: str = "error"
    latency: float = 0.0
    calls: int = 0
    # Member states (VIES codes) whose service is marked down: MS_UNAVAILABLE, check-status.
    unavailable: set[str] = field(default_factory=set)
    # /_control/fail-rate: this share of checks fails (transiently) until the deadline.
    fail_rate: float = 0.0
    fail_rate_until: float = 0.0
    dice: random.Random = field(default_factory=lambda: random.Random(12))


def _forced_failure(style: str, code: str, body: Any) -> Any:
    if style == "error":
        return error(code)
    if style == "body200":
        return jsonify(error_body(code))
    # userError: the answer's shape, valid false, the code in userError.
    sent = body if isinstance(body, dict) else {}
    result = answer(
        {}, clean(sent.get("countryCode")), clean(sent.get("vatNumber")), False, "---", "---"
    )
    result["userError"] = code
    return jsonify(result)


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def create_app(data_path: str | None = None) -> Flask:
    """The stand-in as a Flask app; companies from `data_path` or the packaged sample file."""
    app = Flask(__name__)
    # Readable with curl: keep field order and accented letters as they are.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    state = _State(companies=load_companies(data_path))
    app.extensions["vies_standin"] = state

    @app.post("/check-vat-number")
    def check_vat_number() -> Any:
        body = request.get_json(silent=True)
        with state.lock:
            state.calls += 1
            latency, wake = state.latency, state.wake
            failing = state.fail_count > 0
            if failing:
                state.fail_count -= 1
            elif time.monotonic() < state.fail_rate_until:
                failing = state.dice.random() < state.fail_rate
            code, style = state.fail_error, state.fail_style
            down = set(state.unavailable)
        if latency > 0:
            wake.wait(latency)
        if failing:
            return _forced_failure(style, code, body)
        if isinstance(body, dict) and clean(body.get("countryCode")) in down:
            return _forced_failure("error", "MS_UNAVAILABLE", body)
        return check(state.companies, body)

    @app.post("/check-vat-test-service")
    def check_vat_test_service() -> Any:
        return check(state.companies, request.get_json(silent=True), test_service=True)

    @app.get("/health")
    @app.get("/check-vat-number/health")
    def health() -> Any:
        return jsonify({"status": "ok"})

    @app.get("/check-status")
    def check_status() -> Any:
        # The EU API's availability endpoint, with the member states marked down.
        with state.lock:
            down = set(state.unavailable)
        countries = [
            {"countryCode": cc, "availability": "Unavailable" if cc in down else "Available"}
            for cc in sorted(VIES_CODES)
        ]
        return jsonify({"vow": {"available": True}, "countries": countries})

    @app.post("/_control/unavailable")
    def mark_unavailable() -> Any:
        """{"countries": ["DE", "EL"]}: those member states' services are down until reset."""
        countries = _json_object().get("countries") or []
        if not isinstance(countries, list):
            return jsonify({"error": "countries must be a list of country codes"}), 400
        codes = {"EL" if clean(c) == "GR" else clean(c) for c in countries}
        unknown = sorted(codes - VIES_CODES)
        if unknown:
            return jsonify({"error": f"unknown country codes: {unknown}"}), 400
        with state.lock:
            state.unavailable = codes
        return jsonify({"unavailable": sorted(codes)})

    @app.post("/_control/fail-next")
    def fail_next() -> Any:
        body = _json_object()
        try:
            count = int(body.get("count", 1))
        except (TypeError, ValueError):
            return jsonify({"error": "count must be a whole number"}), 400
        error = str(body.get("error") or "MS_UNAVAILABLE").strip().upper()
        style = str(body.get("style") or "error")
        if style not in FAIL_STYLES:
            return jsonify({"error": f"style must be one of {sorted(FAIL_STYLES)}"}), 400
        with state.lock:
            state.fail_count, state.fail_error, state.fail_style = max(count, 0), error, style
        return jsonify({"failNext": count, "error": error, "style": style})

    @app.post("/_control/fail-rate")
    def fail_rate() -> Any:
        # e.g. {"rate": 0.3, "seconds": 180, "error": "MS_UNAVAILABLE"}: make chaos's VIES.
        body = _json_object()
        try:
            rate = min(max(float(body.get("rate", 0.0)), 0.0), 1.0)
            seconds = max(float(body.get("seconds", 60.0)), 0.0)
        except (TypeError, ValueError):
            return jsonify({"error": "rate and seconds must be numbers"}), 400
        error = str(body.get("error") or "MS_UNAVAILABLE").strip().upper()
        with state.lock:
            state.fail_rate, state.fail_rate_until = rate, time.monotonic() + seconds
            state.fail_error, state.fail_style = error, "error"
        return jsonify({"failRate": rate, "seconds": seconds, "error": error})

    @app.post("/_control/latency")
    def latency() -> Any:
        body = _json_object()
        try:
            seconds = max(float(body.get("seconds", 0.0)), 0.0)
        except (TypeError, ValueError):
            return jsonify({"error": "seconds must be a number"}), 400
        with state.lock:
            state.latency = seconds
            state.wake.clear()
        return jsonify({"latency": seconds})

    @app.post("/_control/reset")
    def reset() -> Any:
        with state.lock:
            state.fail_count, state.fail_error, state.fail_style = 0, "MS_UNAVAILABLE", "error"
            state.latency, state.calls = 0.0, 0
            state.unavailable = set()
            state.fail_rate, state.fail_rate_until = 0.0, 0.0
            state.wake.set()  # release requests still sleeping on the old latency
            state.wake = threading.Event()
        return jsonify({"reset": True})

    @app.get("/_control/calls")
    def calls() -> Any:
        with state.lock:
            return jsonify({"calls": state.calls})

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log lines: demos and test output stay readable."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve_in_thread(port: int = 0, data_path: str | None = None) -> tuple[str, Callable[[], None]]:
    """Serve the stand-in on 127.0.0.1 in a daemon thread; port 0 picks a free port.
    Returns (base_url, stop)."""
    app = create_app(data_path)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    # A short poll interval lets stop() return promptly (tests start and stop it often).
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="vies-standin",
        daemon=True,
    )
    thread.start()
    state: _State = app.extensions["vies_standin"]

    def stop() -> None:
        state.wake.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}", stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for the EU VIES REST API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--data", default=None, help="JSON file of sample companies")
    args = parser.parse_args(argv)
    server = make_server(
        args.host, args.port, create_app(args.data), threaded=True, request_handler=_QuietHandler
    )
    print(f"VIES stand-in listening on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()  # werkzeug's threaded server returns quietly on Ctrl-C


if __name__ == "__main__":
    main()
