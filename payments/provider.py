"""The portal's client of the payment provider: the official ``stripe`` library, pointed at
``STRIPE_API_BASE`` (Stripe, or the local stand-in of payments/standin.py).

Every POST carries an idempotency key derived from what it is for (the order id for a
checkout, the session for an expiry, the caller's key for a refund), so a retry, a double
click or a second worker never makes a second session or a second refund; reads (GET) are
idempotent by nature, and Stripe ignores keys on them. Failures arrive typed:
``PaymentProviderUnavailable`` (unreachable, 5xx, rate limited: try later),
``PaymentRefused`` (the provider said no, with its code), ``IdempotencyConflict`` (the same
key with other parameters) and ``WebhookRejected`` (bad or stale signature)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe

__all__ = [
    "CheckoutLine",
    "CheckoutRequest",
    "CheckoutSession",
    "IdempotencyConflict",
    "PaymentProvider",
    "PaymentProviderError",
    "PaymentProviderUnavailable",
    "PaymentRefused",
    "Refund",
    "WEBHOOK_PATH",
    "WebhookEvent",
    "WebhookRejected",
]

# Where the portal receives Stripe's webhooks; make run points the stand-in here.
WEBHOOK_PATH = "/payments/stripe/webhook"
WEBHOOK_TOLERANCE = 300  # seconds: Stripe's default age limit for a signature


class PaymentProviderError(Exception):
    """The provider could not do what was asked."""


class PaymentProviderUnavailable(PaymentProviderError):
    """Unreachable, timed out, 5xx or rate limited: nothing was decided; try again later."""


class PaymentRefused(PaymentProviderError):
    """The provider refused the request (invalid, already refunded...); ``code`` is Stripe's."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class IdempotencyConflict(PaymentProviderError):
    """An idempotency key was used again with other parameters."""


class WebhookRejected(PaymentProviderError):
    """A webhook whose signature is missing, wrong or too old, or whose body is not JSON."""


class StripeSettings(Protocol):
    stripe_api_base: str
    stripe_secret_key: str
    stripe_webhook_secret: str


@dataclass(frozen=True)
class CheckoutLine:
    name: str
    unit_amount: int  # in the currency's smallest unit, as Stripe counts (cents, fillér)
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutRequest:
    """One order's checkout. The same order must always send the same request (expires_at
    fixed when the order was made): the idempotency key is the order's."""

    order_id: str
    currency: str
    lines: tuple[CheckoutLine, ...]
    success_url: str
    cancel_url: str
    expires_at: int | None = None
    customer_email: str | None = None
    locale: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str  # open, complete, expired
    payment_status: str  # unpaid, paid, no_payment_required
    payment_intent: str | None
    amount_total: int
    currency: str
    client_reference_id: str | None
    expires_at: int
    metadata: dict[str, str]

    @property
    def paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str
    payment_intent: str | None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: int
    object: dict[str, Any]


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _session(found: Any) -> CheckoutSession:
    obj = _plain(found)
    return CheckoutSession(
        id=obj["id"],
        url=obj.get("url"),
        status=obj["status"],
        payment_status=obj["payment_status"],
        payment_intent=obj.get("payment_intent"),
        amount_total=obj["amount_total"],
        currency=obj["currency"],
        client_reference_id=obj.get("client_reference_id"),
        expires_at=obj["expires_at"],
        metadata=dict(obj.get("metadata") or {}),
    )


class PaymentProvider:
    def __init__(
        self,
        api_base: str,
        secret_key: str,
        webhook_secret: str,
        *,
        max_network_retries: int = 2,
        timeout: float = 10.0,
    ) -> None:
        self.webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    @classmethod
    def from_settings(cls, settings: StripeSettings, **options: Any) -> PaymentProvider:
        return cls(
            settings.stripe_api_base,
            settings.stripe_secret_key,
            settings.stripe_webhook_secret,
            **options,
        )

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise PaymentProviderUnavailable(str(exc)) from exc
        except stripe.IdempotencyError as exc:
            raise IdempotencyConflict(str(exc.user_message or exc)) from exc
        except stripe.APIError as exc:
            raise PaymentProviderUnavailable(str(exc.user_message or exc)) from exc
        except (stripe.InvalidRequestError, stripe.CardError) as exc:
            raise PaymentRefused(str(exc.user_message or exc), exc.code) from exc
        except stripe.StripeError as exc:  # authentication, permission: our configuration
            raise PaymentProviderError(str(exc.user_message or exc)) from exc

    def create_checkout(self, order: CheckoutRequest) -> CheckoutSession:
        """The order's one checkout session. Asked again for the same order (a double click,
        a retry, a second tab) within Stripe's 24 hours, the provider replays its first
        answer: the same session, its status as it was then; ``session()`` tells the
        current one."""
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.order_id,
            "success_url": order.success_url,
            "cancel_url": order.cancel_url,
            "metadata": {**order.metadata, "order_id": order.order_id},
            "line_items": [
                {
                    "quantity": line.quantity,
                    "price_data": {
                        "currency": order.currency,
                        "unit_amount": line.unit_amount,
                        "product_data": {"name": line.name},
                    },
                }
                for line in order.lines
            ],
        }
        for name in ("expires_at", "customer_email", "locale"):
            if getattr(order, name) is not None:
                params[name] = getattr(order, name)
        options = {"idempotency_key": f"checkout-{order.order_id}"}
        created = self._call(self._client.v1.checkout.sessions.create, params, options)
        return _session(created)

    def session(self, session_id: str) -> CheckoutSession:
        return _session(self._call(self._client.v1.checkout.sessions.retrieve, session_id))

    def expire(self, session_id: str) -> CheckoutSession:
        """Close an open session. A session already over comes back as it is (not an error):
        expiring is what the caller wants done, and a paid one must be seen as paid."""
        options = {"idempotency_key": f"expire-{session_id}"}
        try:
            done = self._call(self._client.v1.checkout.sessions.expire, session_id, None, options)
        except PaymentRefused:
            return self.session(session_id)
        return _session(done)

    def refund(
        self,
        payment_intent: str,
        idempotency_key: str,
        *,
        amount: int | None = None,
        reason: str = "requested_by_customer",
        metadata: dict[str, str] | None = None,
    ) -> Refund:
        """Refund a payment (all of it unless ``amount``); ``idempotency_key`` names this
        refund (e.g. ``refund-<order id>``), so asking twice refunds once."""
        params: dict[str, Any] = {"payment_intent": payment_intent, "reason": reason}
        if amount is not None:
            params["amount"] = amount
        if metadata:
            params["metadata"] = metadata
        options = {"idempotency_key": idempotency_key}
        done = _plain(self._call(self._client.v1.refunds.create, params, options))
        return Refund(
            id=done["id"],
            amount=done["amount"],
            status=done["status"],
            payment_intent=done.get("payment_intent"),
        )

    def verify_webhook(
        self, payload: bytes | str, signature: str | None, tolerance: int = WEBHOOK_TOLERANCE
    ) -> WebhookEvent:
        """The event of a webhook whose ``Stripe-Signature`` is good and fresh."""
        try:
            stripe.Webhook.construct_event(payload, signature, self.webhook_secret, tolerance)
            data = json.loads(payload)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(str(exc)) from exc
        except ValueError as exc:  # not JSON, or not an event
            raise WebhookRejected(f"not a Stripe event: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise WebhookRejected("not a Stripe event")
        return WebhookEvent(
            id=str(data.get("id")),
            type=str(data.get("type")),
            created=int(data.get("created") or 0),
            object=dict(data["data"].get("object") or {}),
        )
