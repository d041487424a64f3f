"""A local stand-in for the EU VIES REST API, for development, demos and tests.

It speaks the contract ViesClient uses (`POST /check-vat-number`), answers from a JSON file of
sample companies, knows the EU test service's numbers (100 valid, 200 invalid, 201... errors)
and has control endpoints to make VIES slow or down on demand, which the real one is often.

    python -m vies.standin --host 127.0.0.1 --port 8089 [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from vies.vatnumber import EU_COUNTRY_CODES, InvalidVatNumber, normalize_vat, vies_country_code

DEFAULT_DATA = Path(__file__).with_name("standin_companies.json")

# The EU test service's numbers (any country): None = valid, "INVALID" = valid=false.
TEST_NUMBERS: dict[str, str | None] = {
    "100": None,
    "200": "INVALID",
    "201": "INVALID_INPUT",
    "202": "INVALID_REQUESTER_INFO",
    "300": "SERVICE_UNAVAILABLE",
    "301": "MS_UNAVAILABLE",
    "302": "TIMEOUT",
    "400": "VAT_BLOCKED",
    "401": "IP_BLOCKED",
    "500": "GLOBAL_MAX_CONCURRENT_REQ",
    "501": "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "600": "MS_MAX_CONCURRENT_REQ",
    "601": "MS_MAX_CONCURRENT_REQ_TIME",
}
_BAD_REQUEST_CODES = frozenset({"INVALID_INPUT", "INVALID_REQUESTER_INFO"})
_VIES_CODES = frozenset(vies_country_code(cc) for cc in EU_COUNTRY_CODES)
_TRADER_FIELDS = ("Name", "Street", "PostalCode", "City", "CompanyType")


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
    # /_control/fail-rate: this share of checks fails (transiently) until the deadline.
    fail_rate: float = 0.0
    fail_rate_until: float = 0.0
    dice: random.Random = field(default_factory=lambda: random.Random(12))


def load_companies(data_path: str | Path | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """Sample companies keyed by (form country code, number without prefix)."""
    path = Path(data_path) if data_path else DEFAULT_DATA
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["companies"] if isinstance(data, dict) else data
    companies: dict[tuple[str, str], dict[str, str]] = {}
    for entry in entries:
        cc = "GR" if entry["countryCode"].upper() == "EL" else entry["countryCode"].upper()
        # A sample the portal's own check would reject is a broken fixture: fail loudly.
        number = normalize_vat(cc, entry["vatNumber"])
        companies[(cc, number)] = {"name": entry["name"], "address": entry["address"]}
    return companies


def _now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _request_identifier() -> str:
    alphabet = string.ascii_letters + string.digits
    return "WAPIAAAA" + "".join(secrets.choice(alphabet) for _ in range(8))


def _error(code: str, message: str | None = None) -> tuple[Response, int]:
    status = 400 if code in _BAD_REQUEST_CODES else 500
    body = {
        "actionSucceed": False,
        "errorWrappers": [{"error": code, "message": message or f"VIES stand-in: {code}"}],
    }
    return jsonify(body), status


def _answer(
    body: dict[str, Any], cc: str, number: str, valid: bool, name: str, address: str
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "countryCode": cc,
        "vatNumber": number,
        "requestDate": _now(),
        "valid": valid,
        # Only a check made with requester data gets a consultation number.
        "requestIdentifier": _request_identifier() if body.get("requesterNumber") else "",
        "name": name,
        "address": address,
    }
    for suffix in _TRADER_FIELDS:
        answer[f"trader{suffix}"] = ""
    for suffix in _TRADER_FIELDS:
        answer[f"trader{suffix}Match"] = "NOT_PROCESSED"
    return answer


def _clean(text: Any) -> str:
    return "".join(str(text or "").split()).upper()


def _check(state: _State, body: Any) -> Response | tuple[Response, int]:
    if not isinstance(body, dict):
        return _error("INVALID_INPUT", "expected a JSON object")
    cc = _clean(body.get("countryCode"))
    number = _clean(body.get("vatNumber"))
    if cc not in _VIES_CODES or not number:
        return _error("INVALID_INPUT", "countryCode or vatNumber missing or unknown")
    if number.startswith(cc):
        number = number[2:]

    if number in TEST_NUMBERS:
        code = TEST_NUMBERS[number]
        if code is None:
            return jsonify(_answer(body, cc, number, True, "TEST COMPANY", "TEST ADDRESS"))
        if code == "INVALID":
            return jsonify(_answer(body, cc, number, False, "---", "---"))
        return _error(code)

    if body.get("requesterMemberStateCode") or body.get("requesterNumber"):
        req_cc = _clean(body.get("requesterMemberStateCode"))
        try:
            if req_cc not in _VIES_CODES:
                raise InvalidVatNumber("country")
            normalize_vat(req_cc, _clean(body.get("requesterNumber")))
        except InvalidVatNumber:
            return _error("INVALID_REQUESTER_INFO")

    form_cc = "GR" if cc == "EL" else cc
    try:
        compact = normalize_vat(form_cc, number)
    except InvalidVatNumber as exc:
        if exc.reason != "checksum":
            return _error("INVALID_INPUT", str(exc))
        compact = number  # well formed, wrong check digit: VIES just says "not valid"
    company = state.companies.get((form_cc, compact))
    if company is None:
        return jsonify(_answer(body, cc, number, False, "---", "---"))
    return jsonify(_answer(body, cc, number, True, company["name"], company["address"]))


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
            error, style = state.fail_error, state.fail_style
        if latency > 0:
            wake.wait(latency)
        if failing:
            if style == "userError":
                # The EU service sometimes reports errors inside a 200 answer.
                sent = body if isinstance(body, dict) else {}
                cc, number = _clean(sent.get("countryCode")), _clean(sent.get("vatNumber"))
                answer = _answer({}, cc, number, False, "---", "---")
                answer["userError"] = error
                return jsonify(answer)
            return _error(error)
        return _check(state, body)

    @app.get("/health")
    @app.get("/check-vat-number/health")
    def health() -> Any:
        return jsonify({"status": "ok"})

    @app.get("/check-status")
    def check_status() -> Any:
        # The EU API's availability endpoint; the stand-in is always up unless told to fail.
        countries = [{"countryCode": cc, "availability": "Available"} for cc in sorted(_VIES_CODES)]
        return jsonify({"vow": {"available": True}, "countries": countries})

    @app.post("/_control/fail-next")
    def fail_next() -> Any:
        body = _json_object()
        try:
            count = int(body.get("count", 1))
        except (TypeError, ValueError):
            return jsonify({"error": "count must be a whole number"}), 400
        error = str(body.get("error") or "MS_UNAVAILABLE").strip().upper()
        style = "userError" if body.get("style") == "userError" else "error"
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
