"""The hosted payment page's routes: ``/pay/{session}`` and its authentication step."""

from __future__ import annotations

import datetime
from typing import Any

from flask import Flask, Response, redirect, request

from payments.standin_page import (
    AUTHENTICATE,
    DECLINE_MESSAGES,
    PAID,
    CardForm,
    render_auth,
    render_closed,
    render_pay,
)
from payments.standin_store import Store


def success_url(session: dict[str, Any]) -> str | None:
    url = session.get("success_url")
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None


def charge_card(store: Store, session: dict[str, Any], form: CardForm) -> str:
    """Try the card on an open session (under the store's lock): PAID, AUTHENTICATE, or the
    decline message."""
    outcome, code = form.outcome()
    if outcome == PAID:
        store.succeed(session, form.digits[-4:])
        return PAID
    if outcome == AUTHENTICATE:
        store.require_action(session)
        return AUTHENTICATE
    message = DECLINE_MESSAGES[code]
    store.decline(session, code, message)
    return message


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/html")


def register_pages(app: Flask) -> None:
    state = app.extensions["stripe_standin"]
    store: Store = state["store"]

    def outage() -> Response | None:
        if state["outage"] == "503":
            return _html("<!doctype html><title>Unavailable</title><p>Service unavailable.", 503)
        return None

    def find(ident: str) -> dict[str, Any] | None:
        store.expire_due()
        return store.sessions.get(ident)

    @app.route("/pay/<ident>", methods=["GET", "POST"])
    def pay(ident: str) -> Any:
        if (down := outage()) is not None:
            return down
        with store.lock:
            session = find(ident)
            if session is None:
                return _html("<!doctype html><title>Not found</title><p>No such session.", 404)
            if session["status"] != "open":
                return _html(render_closed(session))
            intent = store.intents.get(session["payment_intent"] or "")
            if intent and intent["status"] == "requires_action":
                return redirect(f"/pay/{ident}/authenticate", 303)
            if request.method == "GET":
                return _html(render_pay(session, CardForm()))
            form = CardForm(
                number=request.form.get("number", "").strip(),
                expiry=request.form.get("expiry", "").strip(),
                cvc=request.form.get("cvc", "").strip(),
            )
            if not form.validate(datetime.date.today()):
                return _html(render_pay(session, form), 400)
            result = charge_card(store, session, form)
            if result == PAID:
                return _paid(session)
            if result == AUTHENTICATE:
                return redirect(f"/pay/{ident}/authenticate", 303)
            return _html(render_pay(session, form, message=result, retry=True), 402)

    @app.route("/pay/<ident>/authenticate", methods=["GET", "POST"])
    def authenticate(ident: str) -> Any:
        if (down := outage()) is not None:
            return down
        with store.lock:
            session = find(ident)
            if session is None:
                return _html("<!doctype html><title>Not found</title><p>No such session.", 404)
            if session["status"] != "open":
                return _html(render_closed(session))
            intent = store.intents.get(session["payment_intent"] or "")
            if not intent or intent["status"] != "requires_action":
                return redirect(f"/pay/{ident}", 303)
            if request.method == "GET":
                return _html(render_auth(session))
            if request.form.get("action") == "complete":
                store.succeed(session, "3155")
                return _paid(session)
            message = DECLINE_MESSAGES["authentication_failed"]
            store.decline(session, "authentication_failed", message)
            return _html(render_pay(session, CardForm(), message=message, retry=True), 402)


def _paid(session: dict[str, Any]) -> Any:
    url = success_url(session)
    return redirect(url, 303) if url else _html(render_closed(session))
