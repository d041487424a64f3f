"""The stand-in's webhook sender: each event POSTed as JSON to the configured endpoint,
signed the way Stripe signs (``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"{t}.{payload}" under the endpoint's secret>``), retried with exponential back-off while the
receiver answers other than 2xx or cannot be reached.

Faults on request (the control API): the next N events sent twice; events held and then
released in reverse order (out of order); one event sent again."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@dataclass
class Sender:
    secret: str
    url: str | None = None
    base_delay: float = 1.0  # the first retry's wait; doubled each time
    max_delay: float = 300.0
    max_attempts: int = 10
    timeout: float = 10.0
    duplicate_next: int = 0
    holding: bool = False
    held: list[dict[str, Any]] = field(default_factory=list)
    # (event id, attempt, HTTP status or None, error text or None, unix time)
    log: list[dict[str, Any]] = field(default_factory=list)
    _queue: list[tuple[float, int, dict[str, Any], int]] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=itertools.count)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _stopped: bool = False
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=5)

    def publish(self, event: dict[str, Any]) -> None:
        """Queue an event (called by the store under its lock: never blocks on the network)."""
        with self._cond:
            if self.holding:
                self.held.append(event)
                return
            copies = 1
            if self.duplicate_next > 0:
                self.duplicate_next -= 1
                copies = 2
            for _ in range(copies):
                self._push(event, 1, 0.0)

    def release(self, reverse: bool = True) -> int:
        """Stop holding; send what was held, newest first when ``reverse``."""
        with self._cond:
            events = list(reversed(self.held) if reverse else self.held)
            self.held, self.holding = [], False
            for event in events:
                self._push(event, 1, 0.0)
            return len(events)

    def resend(self, event: dict[str, Any]) -> None:
        with self._cond:
            self._push(event, 1, 0.0)

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self.log)

    def _push(self, event: dict[str, Any], attempt: int, delay: float) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), event, attempt))
        self._cond.notify_all()

    def _next(self) -> tuple[dict[str, Any], int] | None:
        with self._cond:
            while not self._stopped:
                if self._queue:
                    due = self._queue[0][0] - time.monotonic()
                    if due <= 0:
                        _, _, event, attempt = heapq.heappop(self._queue)
                        return event, attempt
                    self._cond.wait(due)
                else:
                    self._cond.wait()
            return None

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while (job := self._next()) is not None:
                self._deliver(client, *job)

    def _deliver(self, client: httpx.Client, event: dict[str, Any], attempt: int) -> None:
        url = self.url
        entry: dict[str, Any] = {
            "event": event["id"],
            "type": event["type"],
            "attempt": attempt,
            "status": None,
            "error": None,
            "at": time.time(),
        }
        if not url:
            entry["error"] = "no webhook endpoint configured"
            with self._cond:
                self.log.append(entry)
            return
        payload = json.dumps(event, indent=2)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": sign(payload, self.secret),
        }
        try:
            entry["status"] = client.post(url, content=payload, headers=headers).status_code
        except httpx.HTTPError as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        with self._cond:
            self.log.append(entry)
            ok = entry["status"] is not None and 200 <= entry["status"] < 300
            if not ok and attempt < self.max_attempts:
                delay = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
                self._push(event, attempt + 1, delay)
