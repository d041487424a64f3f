"""The Stripe stand-in on a real port, the official library's client on it (through
payments.provider), and a webhook receiver that verifies what arrives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from payments.provider import (
    CheckoutLine,
    CheckoutRequest,
    PaymentProvider,
    WebhookRejected,
)
from payments.standin import StandIn, create_app

SECRET_KEY = "sk_test_payments_suite"
WEBHOOK_SECRET = "whsec_payments_suite"
WAIT = 15.0  # bound for anything asynchronous (webhooks); tests wait for the condition


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout:g} s: {what}")


@dataclass
class Receiver:
    """The portal's side of the webhooks, as the later order step will do it: verify with
    the provider, answer 400 to a bad signature, 2xx to a good one."""

    provider: PaymentProvider
    url: str = ""
    fail_next: int = 0  # answer 500 to this many verified deliveries first
    received: list[dict[str, Any]] = field(default_factory=list)  # verified ones
    rejected: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        try:
            event = self.provider.verify_webhook(body, request.headers.get("Stripe-Signature"))
        except WebhookRejected as exc:
            with self.lock:
                self.rejected.append(str(exc))
                self.answers.append(400)
            return Response("bad signature", status=400)(environ, start_response)
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.answers.append(500)
                return Response("try later", status=500)(environ, start_response)
            self.received.append({"id": event.id, "type": event.type, "object": event.object})
            self.answers.append(200)
        return Response(json.dumps({"received": True}), mimetype="application/json")(
            environ, start_response
        )

    def types(self) -> list[str]:
        with self.lock:
            return [e["type"] for e in self.received]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Controls:
    """The stand-in's /_standin API over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base

    def post(self, path: str, **body: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.base}/_standin/{path}", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def deliveries(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.base}/_standin/webhooks/deliveries").json()["deliveries"]


@pytest.fixture
def standin() -> Iterator[StandIn]:
    runner = StandIn(create_app(SECRET_KEY, WEBHOOK_SECRET)).start()
    yield runner
    runner.stop()


@pytest.fixture
def provider(standin: StandIn) -> PaymentProvider:
    # No library retries by default: the outage tests see the first answer.
    return PaymentProvider(standin.base_url, SECRET_KEY, WEBHOOK_SECRET, max_network_retries=0)


@pytest.fixture
def controls(standin: StandIn) -> Controls:
    return Controls(standin.base_url)


@pytest.fixture
def receiver(standin: StandIn, provider: PaymentProvider, controls: Controls) -> Iterator[Receiver]:
    found = Receiver(provider)
    server = make_server("127.0.0.1", 0, found, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_port}/payments/stripe/webhook"
    controls.post("webhook", url=found.url, base_delay=0.05, max_attempts=6)
    yield found
    server.shutdown()
    server.server_close()


def order(order_id: str = "order-1", **changes: Any) -> CheckoutRequest:
    values: dict[str, Any] = {
        "order_id": order_id,
        "currency": "huf",
        "lines": (CheckoutLine("Car, 1 day", 1_250_000),),
        "success_url": "http://portal.test/access?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://portal.test/prices",
        "metadata": {"account": "42"},
    }
    values.update(changes)
    return CheckoutRequest(**values)


def pay(url: str, card: str, expiry: str = "12 / 34", cvc: str = "123") -> httpx.Response:
    """Submit the hosted page's form as a browser would (no redirects followed)."""
    return httpx.post(url, data={"number": card, "expiry": expiry, "cvc": cvc}, timeout=10)
