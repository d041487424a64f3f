"""The stand-in's test and fault controls under ``/_standin/`` (listed in standin.py)."""

from __future__ import annotations

import math
import threading
from typing import Any

from flask import Flask, jsonify, request

from payments.standin_hosted import charge_card
from payments.standin_page import CardForm
from payments.standin_store import Store
from payments.standin_webhooks import Sender


class ControlError(ValueError):
    """A control request the stand-in cannot follow: 400 with the reason."""


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _number(body: dict[str, Any], name: str, default: float) -> float:
    try:
        value = float(body.get(name, default))
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be a number") from None
    if not math.isfinite(value):
        raise ControlError(f"{name} must be a finite number")
    return value


def register_control(app: Flask) -> None:
    state = app.extensions["stripe_standin"]
    store: Store = state["store"]
    sender: Sender = state["sender"]

    @app.errorhandler(ControlError)
    def bad_value(error: ControlError) -> Any:
        return jsonify({"error": str(error)}), 400

    @app.get("/_standin/health")
    def standin_health() -> Any:
        return jsonify({"status": "ok", "outage": state["outage"]})

    @app.post("/_standin/webhook")
    def configure_webhook() -> Any:
        body = _body()
        with sender._cond:
            if "url" in body:
                sender.url = str(body["url"]) if body["url"] else None
            sender.base_delay = max(_number(body, "base_delay", sender.base_delay), 0.0)
            sender.max_attempts = max(int(_number(body, "max_attempts", sender.max_attempts)), 1)
            shown = {"url": sender.url, "base_delay": sender.base_delay}
            shown["max_attempts"] = sender.max_attempts
        return jsonify(shown)

    @app.post("/_standin/webhooks/duplicate")
    def duplicate() -> Any:
        count = max(int(_number(_body(), "count", 1)), 0)
        with sender._cond:
            sender.duplicate_next = count
        return jsonify({"duplicate_next": count})

    @app.post("/_standin/webhooks/hold")
    def hold() -> Any:
        with sender._cond:
            sender.holding = True
        return jsonify({"holding": True})

    @app.post("/_standin/webhooks/release")
    def release() -> Any:
        order = str(_body().get("order", "reverse"))
        if order not in {"reverse", "created"}:
            raise ControlError("order must be reverse or created")
        return jsonify({"released": sender.release(reverse=order == "reverse")})

    @app.post("/_standin/webhooks/resend")
    def resend() -> Any:
        ident = str(_body().get("event", ""))
        with store.lock:
            event = store.events.get(ident)
        if event is None:
            return jsonify({"error": f"no such event: {ident!r}"}), 404
        sender.resend(event)
        return jsonify({"resent": ident})

    @app.get("/_standin/webhooks/deliveries")
    def deliveries() -> Any:
        return jsonify({"deliveries": sender.deliveries()})

    @app.post("/_standin/outage")
    def switch_outage() -> Any:
        body = _body()
        mode = str(body.get("mode", "503"))
        if mode == "off":
            state["outage"] = None
        elif mode == "503":
            state["outage"] = "503"
        elif mode == "refuse":
            # The port closes, so this API goes too: the switch must carry its own end.
            seconds = _number(body, "seconds", 0.0)
            if not 0 < seconds <= 3600:
                raise ControlError("refuse needs seconds between 0 and 3600")
            runner = state["runner"]
            if runner is None:
                raise ControlError("refuse needs the stand-in served by StandIn")
            threading.Timer(0.1, runner.refuse, kwargs={"seconds": seconds}).start()
            return jsonify({"outage": "refuse", "seconds": seconds})
        else:
            raise ControlError("mode must be 503, refuse or off")
        return jsonify({"outage": state["outage"]})

    @app.post("/_standin/clock/advance")
    def advance() -> Any:
        seconds = _number(_body(), "seconds", 0.0)
        if seconds < 0:
            raise ControlError("the clock only moves forward")
        with store.lock:
            store.offset += seconds
            expired = store.expire_due()
            now = store.now()
        return jsonify({"now": now, "expired": expired})

    @app.post("/_standin/sessions/<ident>/pay")
    def pay_without_browser(ident: str) -> Any:
        card = str(_body().get("card", "4242424242424242"))
        with store.lock:
            session = store.sessions.get(ident)
            if session is None or session["status"] != "open":
                return jsonify({"error": f"no open session {ident!r}"}), 400
            form = CardForm(number=card, expiry="12/99", cvc="123")
            result = charge_card(store, session, form)
        return jsonify({"result": result, "session": store.public(session)})

    @app.post("/_standin/reset")
    def reset() -> Any:
        with store.lock, sender._cond:
            for table in (store.sessions, store.intents, store.charges, store.refunds):
                table.clear()
            store.events.clear()
            store.offset = 0.0
            sender.duplicate_next, sender.holding = 0, False
            sender.held.clear()
            sender.log.clear()
            sender._queue.clear()
        state["outage"] = None
        return jsonify({"reset": True})
