"""The stand-in's objects and what changes them, in Stripe's shapes (API reference):
Checkout Sessions, PaymentIntents, Charges, Refunds and Events, in memory, under one lock.

Every change that Stripe reports with an event appends one to ``events`` and hands it to
``publish`` (the webhook sender). Time is ``now()``: the wall clock plus an offset that the
control API moves forward, so a session's ``expires_at`` can pass without waiting."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from payments.standin_forms import (
    StripeFault,
    integer,
    invalid,
    line_items,
    metadata,
    missing,
    no_such,
)

API_VERSION = "2026-10-28.endive"  # what stripe-python 16 sends
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600  # expires_at: 30 minutes to 24 hours ahead
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


@dataclass
class Store:
    page_base: str = "http://127.0.0.1:8090"  # where the hosted page is served
    publish: Callable[[dict[str, Any]], None] = lambda event: None
    lock: threading.RLock = field(default_factory=threading.RLock)
    offset: float = 0.0
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def now(self) -> int:
        return int(time.time() + self.offset)

    def _event(self, kind: str, obj: dict[str, Any], previous: dict[str, Any] | None = None):
        data: dict[str, Any] = {"object": dict(obj)}
        if previous:
            data["previous_attributes"] = previous
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        self.events[event["id"]] = event
        self.publish(event)

    # Checkout Sessions ------------------------------------------------------------------
    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "payment":
            if not params.get("mode"):
                raise missing("mode")
            raise invalid("mode", "The stand-in supports only mode=payment.")
        items, currency, total = line_items(params)
        created = self.now()
        expires_at = integer(params, "expires_at")
        if expires_at is None:
            expires_at = created + MAX_EXPIRY
        elif not created + MIN_EXPIRY <= expires_at <= created + MAX_EXPIRY:
            raise invalid(
                "expires_at",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
            )
        reference = params.get("client_reference_id")
        if reference is not None and len(str(reference)) > 200:
            raise invalid("client_reference_id", "client_reference_id is too long (200).")
        ident = "cs_test_" + secrets.token_urlsafe(45).replace("-", "a").replace("_", "b")
        session = {
            "id": ident,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": reference,
            "created": created,
            "currency": currency,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": metadata(params),
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"{self.page_base}/pay/{ident}",
            "line_items": [dict(i) for i in items],  # kept for the page; not in answers
        }
        self.sessions[ident] = session
        return self.public(session)

    @staticmethod
    def public(session: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in session.items() if k != "line_items"}
        if shown["status"] != "open":
            shown["url"] = None  # Stripe clears the url once the session is over
        return shown

    def session(self, ident: str) -> dict[str, Any]:
        self.expire_due()
        try:
            return self.sessions[ident]
        except KeyError:
            raise no_such("checkout.session", ident) from None

    def expire_session(self, ident: str) -> dict[str, Any]:
        session = self.session(ident)
        if session["status"] != "open":
            raise StripeFault(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{session["status"]}".',
            )
        self._expire(session)
        return self.public(session)

    def _expire(self, session: dict[str, Any]) -> None:
        session["status"] = "expired"
        intent = self.intents.get(session["payment_intent"] or "")
        if intent and intent["status"] != "succeeded":
            intent["status"] = "canceled"
            intent["canceled_at"] = self.now()
        self._event("checkout.session.expired", self.public(session))

    def expire_due(self) -> int:
        """Expire the open sessions whose expires_at has passed; how many."""
        now, count = self.now(), 0
        for session in list(self.sessions.values()):
            if session["status"] == "open" and session["expires_at"] <= now:
                self._expire(session)
                count += 1
        return count

    # Payment on the hosted page ----------------------------------------------------------
    def _intent_for(self, session: dict[str, Any]) -> dict[str, Any]:
        if session["payment_intent"]:
            return self.intents[session["payment_intent"]]
        intent = {
            "id": new_id("pi"),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": 0,
            "canceled_at": None,
            "created": self.now(),
            "currency": session["currency"],
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": {},
            "status": "requires_payment_method",
        }
        self.intents[intent["id"]] = intent
        session["payment_intent"] = intent["id"]
        return intent

    def decline(self, session: dict[str, Any], code: str, message: str) -> None:
        intent = self._intent_for(session)
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "card_error",
            "code": "card_declined" if code != "authentication_required" else code,
            "decline_code": code,
            "message": message,
        }
        self._event("payment_intent.payment_failed", intent)

    def require_action(self, session: dict[str, Any]) -> None:
        intent = self._intent_for(session)
        intent["status"], intent["last_payment_error"] = "requires_action", None
        self._event("payment_intent.requires_action", intent)

    def succeed(self, session: dict[str, Any], last4: str) -> None:
        intent = self._intent_for(session)
        charge = {
            "id": new_id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "captured": True,
            "created": self.now(),
            "currency": intent["currency"],
            "livemode": False,
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method_details": {"type": "card", "card": {"last4": last4}},
            "refunded": False,
            "status": "succeeded",
        }
        self.charges[charge["id"]] = charge
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge["id"],
            last_payment_error=None,
        )
        session.update(status="complete", payment_status="paid")
        self._event("charge.succeeded", charge)
        self._event("payment_intent.succeeded", intent)
        self._event("checkout.session.completed", self.public(session))

    # PaymentIntents and Refunds ------------------------------------------------------------
    def intent(self, ident: str) -> dict[str, Any]:
        try:
            return self.intents[ident]
        except KeyError:
            raise no_such("payment_intent", ident) from None

    def refund(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("charge"):
            charge = self.charges.get(str(params["charge"]))
            if charge is None:
                raise no_such("charge", str(params["charge"]), "charge")
        elif params.get("payment_intent"):
            intent = self.intent(str(params["payment_intent"]))
            if not intent["latest_charge"]:
                raise StripeFault(
                    400,
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge "
                    "to refund.",
                    code="charge_not_refundable",
                    param="payment_intent",
                )
            charge = self.charges[intent["latest_charge"]]
        else:
            raise StripeFault(
                400,
                "One of the following params should be provided for this "
                "request: payment_intent or charge.",
                code="parameter_missing",
            )
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            raise StripeFault(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = integer(params, "amount", minimum=1)
        amount = left if amount is None else amount
        if amount > left:
            raise StripeFault(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
                param="amount",
            )
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid("reason", f"Invalid reason: must be one of {sorted(REFUND_REASONS)}")
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": self.now(),
            "currency": charge["currency"],
            "metadata": metadata(params),
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        # Since 2024-10-28.acacia Stripe sends refund.created for card refunds too.
        self._event("refund.created", refund)
        self._event("charge.refunded", charge, previous)
        return refund

    def get(self, table: dict[str, dict[str, Any]], kind: str, ident: str) -> dict[str, Any]:
        try:
            return table[ident]
        except KeyError:
            raise no_such(kind, ident) from None
