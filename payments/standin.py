"""A local stand-in of the Stripe API, for development, demos and tests.

The official ``stripe`` library talks to it unchanged (``stripe.api_base`` or
``StripeClient(base_addresses={"api": ...})`` = ``STRIPE_API_BASE``): form-encoded requests,
JSON answers and errors in Stripe's shapes, the API key checked (``STRIPE_SECRET_KEY``),
``Idempotency-Key`` honoured (same key and parameters: the stored answer again, with
``Idempotent-Replayed: true``; same key, other parameters: 400 ``idempotency_error``).

    POST /v1/checkout/sessions                 GET /v1/checkout/sessions[?status=&limit=]
    GET  /v1/checkout/sessions/{id}            POST /v1/checkout/sessions/{id}/expire
    GET  /v1/payment_intents/{id}              GET /v1/charges/{id}
    POST /v1/refunds   GET /v1/refunds/{id}    GET /v1/events[?type=]  GET /v1/events/{id}

The hosted payment page is the session's ``url`` (``/pay/{id}``): Stripe's test cards
4242 4242 4242 4242 (paid), 4000 0000 0000 0002 (declined), 4000 0000 0000 9995
(insufficient funds), 4000 0025 0000 3155 (authentication page with Complete / Fail).
Webhooks go to the configured endpoint, signed with ``STRIPE_WEBHOOK_SECRET``.

Test and fault controls (JSON bodies; they work during an outage):

    GET  /_standin/health
    POST /_standin/webhook            {"url": "http://.../stripe/webhook",
                                       "base_delay": 1.0, "max_attempts": 10}
    POST /_standin/webhooks/duplicate {"count": 2}    the next 2 events are sent twice
    POST /_standin/webhooks/hold                      events wait (not sent) ...
    POST /_standin/webhooks/release   {"order": "reverse"}  ... until released, newest first
    POST /_standin/webhooks/resend    {"event": "evt_..."}  send one event again
    GET  /_standin/webhooks/deliveries                every attempt: event, status, error
    POST /_standin/outage             {"mode": "503"} | {"mode": "refuse", "seconds": 30}
                                      | {"mode": "off"}   (refuse: the port stops listening)
    POST /_standin/clock/advance      {"seconds": 3600}  the stand-in's time moves forward;
                                      sessions past expires_at expire (and send the event)
    POST /_standin/sessions/{id}/pay  {"card": "4242424242424242"}  pay without a browser
    POST /_standin/reset

    python -m payments.standin --host 127.0.0.1 --port 8090 [--webhook-url URL]
    (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_STANDIN_WEBHOOK_URL from the
    environment; development defaults otherwise)
"""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from payments.standin_api import register_api
from payments.standin_control import register_control
from payments.standin_hosted import register_pages
from payments.standin_store import Store
from payments.standin_webhooks import Sender

# The same as devtools/run.py gives make run (tests/payments/test_settings.py checks).
DEV_SECRET_KEY = "sk_test_aos_development"
DEV_WEBHOOK_SECRET = "whsec_aos_development"
DEFAULT_PORT = 8090


def create_app(
    secret_key: str = DEV_SECRET_KEY,
    webhook_secret: str = DEV_WEBHOOK_SECRET,
    webhook_url: str | None = None,
) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    sender = Sender(secret=webhook_secret, url=webhook_url)
    store = Store(publish=sender.publish)
    app.extensions["stripe_standin"] = {
        "store": store,
        "sender": sender,
        "secret_key": secret_key,
        "outage": None,
        "runner": None,
    }
    register_api(app)
    register_pages(app)
    register_control(app)

    @app.errorhandler(405)
    def not_allowed(_error: Any) -> Any:
        message = f"Unrecognized request URL ({request.method}: {request.path})."
        return jsonify({"error": {"type": "invalid_request_error", "message": message}}), 404

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class StandIn:
    """The stand-in on a port of 127.0.0.1 (0: a free one), its webhook sender and its
    expiry sweep in daemon threads; ``refuse`` closes the port for a while (an outage)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app, self.host = app, host
        self.state = app.extensions["stripe_standin"]
        self.state["runner"] = self
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.base_url = f"http://{host}:{self.port}"
        self.state["store"].page_base = self.base_url
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> StandIn:
        self._serve()
        self.state["sender"].start()
        sweep = threading.Thread(target=self._sweep, name="stripe-expiry", daemon=True)
        sweep.start()
        self._threads.append(sweep)
        return self

    def _serve(self) -> None:
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-standin",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def _sweep(self) -> None:
        store: Store = self.state["store"]
        while not self._stop.wait(0.2):
            with store.lock:
                store.expire_due()

    def refuse(self, seconds: float | None = None) -> None:
        """Stop listening (connections refused); listen again after ``seconds`` if given."""
        with self._lock:
            if self._server is None:
                return
            server, self._server = self._server, None
        server.shutdown()
        server.server_close()
        if seconds is not None:
            timer = threading.Timer(seconds, self.accept)
            timer.daemon = True
            timer.start()

    def accept(self) -> None:
        """Listen again on the same port after ``refuse``."""
        with self._lock:
            if self._server is not None or self._stop.is_set():
                return
            self._server = make_server(
                self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
            )
            self._serve()

    def stop(self) -> None:
        self._stop.set()
        self.refuse()
        self.state["sender"].stop()

    def serve_forever(self) -> None:
        self.start()
        self._stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in of the Stripe API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--webhook-url", default=os.environ.get("STRIPE_STANDIN_WEBHOOK_URL") or None
    )
    args = parser.parse_args(argv)
    app = create_app(
        os.environ.get("STRIPE_SECRET_KEY") or DEV_SECRET_KEY,
        os.environ.get("STRIPE_WEBHOOK_SECRET") or DEV_WEBHOOK_SECRET,
        args.webhook_url,
    )
    runner = StandIn(app, args.host, args.port)
    print(f"Stripe stand-in listening on {runner.base_url}", flush=True)
    try:
        runner.serve_forever()
    except KeyboardInterrupt:
        runner.stop()


if __name__ == "__main__":
    main()
