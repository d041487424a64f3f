"""The stand-in's ``/v1`` routes: the API key, the outage switch, idempotency and lists."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from payments.standin_forms import StripeFault, decode, integer
from payments.standin_store import Store

KEY_TTL = 24 * 3600


def answer(status: int, body: dict[str, Any], replayed: bool = False) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Request-Id"] = "req_" + hashlib.sha1(response.data).hexdigest()[:14]
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def listing(items: list[dict[str, Any]], url: str, params: dict[str, Any]) -> dict[str, Any]:
    """Stripe's list object, newest first, with ``limit`` and ``starting_after``."""
    items = sorted(reversed(items), key=lambda o: o["created"], reverse=True)
    after = params.get("starting_after")
    if after:
        ids = [o["id"] for o in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    limit = integer(params, "limit", minimum=1) or 10
    if limit > 100:
        raise StripeFault(400, "This value must be less than or equal to 100.", param="limit")
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}


def _fingerprint(path: str, pairs: Any) -> str:
    return hashlib.sha256(json.dumps([path, sorted(pairs)]).encode()).hexdigest()


def _idempotency_error(key: str) -> dict[str, Any]:
    message = (
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request."
    )
    return {"error": {"type": "idempotency_error", "message": message}}


def register_api(app: Flask) -> None:
    state = app.extensions["stripe_standin"]
    store: Store = state["store"]
    # (api key, idempotency key) -> (fingerprint of the request, status, body, when)
    remembered: dict[tuple[str, str], tuple[str, int, dict[str, Any], int]] = {}

    @app.before_request
    def gate() -> Response | None:
        if not request.path.startswith("/v1/"):
            return None
        if state["outage"] == "503":
            response = answer(
                503,
                StripeFault(
                    503,
                    "The stand-in is in an outage (switched on by /_standin/outage).",
                    type="api_error",
                ).body(),
            )
            response.headers["Stripe-Should-Retry"] = "true"
            return response
        # Bearer (the libraries) or Basic with the key as the user name (curl -u sk_...:).
        key = (
            request.authorization.username
            if request.authorization and (request.authorization.type == "basic")
            else request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        )
        key = key or ""
        if key != state["secret_key"]:
            shown = f"{key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}" if key else ""
            message = (
                f"Invalid API Key provided: {shown}" if key else "You did not provide an API key."
            )
            return answer(401, {"error": {"type": "invalid_request_error", "message": message}})
        return None

    def run(method: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]) -> Response:
        params = (
            decode(request.form.items(multi=True))
            if request.method == "POST"
            else decode(request.args.items(multi=True))
        )
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        with store.lock:  # one change at a time: a double click waits for the first answer
            if key:
                fingerprint = _fingerprint(request.path, request.form.items(multi=True))
                slot = (state["secret_key"], key)
                # Stripe forgets a key after 24 hours; so does the stand-in (by its clock).
                for old in [k for k, v in remembered.items() if v[3] <= store.now() - KEY_TTL]:
                    del remembered[old]
                if slot in remembered:
                    first, status, body, _ = remembered[slot]
                    if first != fingerprint:
                        return answer(400, _idempotency_error(key))
                    return answer(status, body, replayed=True)
            try:
                status, body = method(params)
            except StripeFault as fault:
                status, body = fault.status, fault.body()
                # Stripe keeps no result for a request that failed parameter validation.
                if (fault.code or "").startswith("parameter_"):
                    return answer(status, body)
            if key:
                remembered[slot] = (fingerprint, status, body, store.now())
            return answer(status, body)

    @app.post("/v1/checkout/sessions")
    def create_session() -> Response:
        return run(lambda p: (200, store.create_session(p)))

    @app.get("/v1/checkout/sessions")
    def list_sessions() -> Response:
        def go(p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            store.expire_due()
            rows = [store.public(s) for s in store.sessions.values()]
            for name in ("status", "payment_intent"):  # two of Stripe's filters
                if p.get(name):
                    rows = [r for r in rows if r.get(name) == p[name]]
            return 200, listing(rows, "/v1/checkout/sessions", p)

        return run(go)

    @app.get("/v1/checkout/sessions/<ident>")
    def get_session(ident: str) -> Response:
        return run(lambda p: (200, store.public(store.session(ident))))

    @app.post("/v1/checkout/sessions/<ident>/expire")
    def expire_session(ident: str) -> Response:
        return run(lambda p: (200, store.expire_session(ident)))

    @app.get("/v1/payment_intents/<ident>")
    def get_intent(ident: str) -> Response:
        return run(lambda p: (200, store.intent(ident)))

    @app.get("/v1/charges/<ident>")
    def get_charge(ident: str) -> Response:
        return run(lambda p: (200, store.get(store.charges, "charge", ident)))

    @app.post("/v1/refunds")
    def create_refund() -> Response:
        return run(lambda p: (200, store.refund(p)))

    @app.get("/v1/refunds/<ident>")
    def get_refund(ident: str) -> Response:
        return run(lambda p: (200, store.get(store.refunds, "refund", ident)))

    @app.get("/v1/events")
    def list_events() -> Response:
        def go(p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            rows = list(store.events.values())
            kinds = p.get("types") or ([p["type"]] if p.get("type") else None)
            if kinds:
                rows = [r for r in rows if r["type"] in kinds]
            return 200, listing(rows, "/v1/events", p)

        return run(go)

    @app.get("/v1/events/<ident>")
    def get_event(ident: str) -> Response:
        return run(lambda p: (200, store.get(store.events, "event", ident)))

    @app.route("/v1/<path:rest>", methods=["GET", "POST", "DELETE"])
    def unknown(rest: str) -> Response:
        return answer(
            404,
            {
                "error": {
                    "type": "invalid_request_error",
                    "message": (f"Unrecognized request URL ({request.method}: /v1/{rest})."),
                }
            },
        )
