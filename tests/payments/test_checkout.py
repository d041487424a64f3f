"""Checkout Sessions through the official stripe library against the stand-in over HTTP:
creation and idempotency, the test cards on the hosted page, expiry, refunds."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest
import stripe

from payments.provider import (
    IdempotencyConflict,
    PaymentProvider,
    PaymentProviderError,
    PaymentProviderUnavailable,
    PaymentRefused,
)
from payments.standin import StandIn
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, order, pay, wait_for

PAID_CARD, DECLINED_CARD, AUTH_CARD = (
    "4242 4242 4242 4242",
    "4000 0000 0000 0002",
    "4000 0025 0000 3155",
)


def client(standin: StandIn) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": standin.base_url})


def test_a_session_in_stripes_shape(provider: PaymentProvider, standin: StandIn) -> None:
    session = provider.create_checkout(order("order-7"))
    assert session.id.startswith("cs_test_")
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert session.url == f"{standin.base_url}/pay/{session.id}"
    assert (session.amount_total, session.currency) == (1_250_000, "huf")
    assert session.client_reference_id == "order-7"
    assert session.metadata == {"account": "42", "order_id": "order-7"}
    assert session.expires_at - time.time() == pytest.approx(24 * 3600, abs=5)
    # The raw answer, as any Stripe client sees it.
    raw = client(standin).v1.checkout.sessions.retrieve(session.id)
    assert (raw.object, raw.mode, raw.livemode, raw.payment_intent) == (
        "checkout.session", "payment", False, None,
    )  # fmt: skip


def test_a_double_click_makes_one_session(provider: PaymentProvider, standin: StandIn) -> None:
    made: list[str] = []
    clicks = [
        threading.Thread(target=lambda: made.append(provider.create_checkout(order()).id))
        for _ in range(5)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(10)
    assert len(made) == 5 and len(set(made)) == 1
    listed = client(standin).v1.checkout.sessions.list({"limit": 100})
    assert [s.id for s in listed.data] == made[:1]


def test_the_same_order_with_other_parameters_is_a_conflict(provider: PaymentProvider) -> None:
    provider.create_checkout(order())
    with pytest.raises(IdempotencyConflict, match="same parameters"):
        provider.create_checkout(order(lines=order().lines * 2))
    # Another order is another key: a new session.
    assert provider.create_checkout(order("order-2")).id != provider.create_checkout(order()).id


def test_the_paid_card(provider: PaymentProvider, standin: StandIn) -> None:
    session = provider.create_checkout(order())
    page = httpx.get(session.url)
    assert page.status_code == 200
    for label in ("Card number", "Expiry date", "CVC"):
        assert re.search(rf'<label for="\w+">{label}</label>', page.text)
    assert ">Pay</button>" in page.text and "12 500.00 HUF" in page.text

    done = pay(session.url, PAID_CARD)
    assert done.status_code == 303
    assert done.headers["location"] == f"http://portal.test/access?session={session.id}"
    paid = provider.session(session.id)
    assert paid.paid and paid.url is None
    intent = client(standin).v1.payment_intents.retrieve(paid.payment_intent)
    assert (intent.status, intent.amount_received) == ("succeeded", 1_250_000)
    # The page of a paid session says so; it takes no second payment.
    again = httpx.get(session.url)
    assert "Payment complete" in again.text and 'name="number"' not in again.text


def test_the_declined_card_may_retry(provider: PaymentProvider, standin: StandIn) -> None:
    session = provider.create_checkout(order())
    declined = pay(session.url, DECLINED_CARD)
    assert declined.status_code == 402
    assert "Your card was declined." in declined.text and 'role="alert"' in declined.text
    assert 'value="4000 0000 0000 0002"' in declined.text  # what was typed is kept
    state = provider.session(session.id)
    assert (state.status, state.payment_status) == ("open", "unpaid")
    intent = client(standin).v1.payment_intents.retrieve(state.payment_intent)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.decline_code == "generic_decline"
    assert pay(session.url, PAID_CARD).status_code == 303
    assert provider.session(session.id).paid


def test_the_card_that_needs_authentication(provider: PaymentProvider) -> None:
    session = provider.create_checkout(order())
    step = pay(session.url, AUTH_CARD)
    assert step.status_code == 303 and step.headers["location"] == f"/pay/{session.id}/authenticate"
    auth_url = session.url + "/authenticate"
    page = httpx.get(auth_url).text
    assert "Complete authentication" in page and "Fail authentication" in page
    assert not provider.session(session.id).paid
    # Reloading the payment page while authentication waits comes back to it.
    assert httpx.get(session.url).headers["location"] == f"/pay/{session.id}/authenticate"

    failed = httpx.post(auth_url, data={"action": "fail"})
    assert failed.status_code == 402 and "unable to authenticate" in failed.text
    assert provider.session(session.id).status == "open"

    pay(session.url, AUTH_CARD)
    done = httpx.post(auth_url, data={"action": "complete"})
    assert done.status_code == 303 and done.headers["location"].startswith("http://portal.test/")
    assert provider.session(session.id).paid


def test_the_cancel_link_goes_back_and_the_session_stays_open(provider: PaymentProvider) -> None:
    session = provider.create_checkout(order())
    page = httpx.get(session.url).text
    assert '<a href="http://portal.test/prices">Cancel and return to the shop</a>' in page
    assert provider.session(session.id).status == "open"


@pytest.mark.parametrize(
    ("card", "expiry", "cvc", "field", "message"),
    [
        ("4242 4242 4242 4241", "12 / 34", "123", "number", "Your card number is invalid."),
        ("4242", "12 / 34", "123", "number", "Your card number is incomplete."),
        (PAID_CARD, "13 / 34", "123", "expiry", "expiration month is invalid"),
        (PAID_CARD, "01 / 20", "123", "expiry", "expiration date is in the past"),
        (PAID_CARD, "12 / 34", "1", "cvc", "security code is incomplete"),
    ],
)
def test_bad_card_details_are_named_and_kept(
    provider: PaymentProvider, card: str, expiry: str, cvc: str, field: str, message: str
) -> None:
    session = provider.create_checkout(order())
    answer = pay(session.url, card, expiry, cvc)
    assert answer.status_code == 400 and message in answer.text
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in answer.text
    assert f'value="{card}"' in answer.text and f'value="{expiry}"' in answer.text
    assert provider.session(session.id).payment_intent is None  # nothing was tried


def test_an_unknown_card_is_declined_as_in_test_mode(provider: PaymentProvider) -> None:
    session = provider.create_checkout(order())
    answer = pay(session.url, "4000 1234 5678 9017")  # valid Luhn, not a test card
    assert answer.status_code == 402 and "used a non test card" in answer.text


def test_a_session_expires_at_expires_at(provider: PaymentProvider, controls, receiver) -> None:  # type: ignore[no-untyped-def]
    expires_at = int(time.time()) + 1800
    session = provider.create_checkout(order(expires_at=expires_at))
    assert session.expires_at == expires_at
    controls.post("clock/advance", seconds=1000)
    assert provider.session(session.id).status == "open"
    assert controls.post("clock/advance", seconds=801)["expired"] == 1
    assert provider.session(session.id).status == "expired"
    page = httpx.get(session.url)
    assert "has expired" in page.text and 'name="number"' not in page.text
    wait_for(lambda: "checkout.session.expired" in receiver.types(), "the expired event")
    [event] = [e for e in receiver.received if e["type"] == "checkout.session.expired"]
    assert event["object"]["id"] == session.id and event["object"]["status"] == "expired"


def test_expires_at_must_be_30_minutes_to_24_hours_ahead(provider: PaymentProvider) -> None:
    with pytest.raises(PaymentRefused, match="between 30 minutes and 24 hours") as caught:
        provider.create_checkout(order(expires_at=int(time.time()) + 600))
    assert caught.value.code == "parameter_invalid_string"
    # A refused request keeps no idempotent result: the corrected one goes through.
    assert provider.create_checkout(order()).status == "open"


def test_the_expire_call(provider: PaymentProvider) -> None:
    session = provider.create_checkout(order())
    assert provider.expire(session.id).status == "expired"
    assert provider.expire(session.id).status == "expired"  # again: as it is, no error
    paid = provider.create_checkout(order("order-paid"))
    pay(paid.url, PAID_CARD)
    assert provider.expire(paid.id).paid  # a paid session is not expired, and says so


def test_refund_once_per_key(provider: PaymentProvider, standin: StandIn) -> None:
    session = provider.create_checkout(order())
    pay(session.url, PAID_CARD)
    intent = provider.session(session.id).payment_intent
    assert intent
    refund = provider.refund(intent, "refund-order-1")
    assert (refund.amount, refund.status, refund.payment_intent) == (1_250_000, "succeeded", intent)
    assert provider.refund(intent, "refund-order-1") == refund  # a retry: the same refund
    with pytest.raises(PaymentRefused) as caught:
        provider.refund(intent, "refund-order-1-again")
    assert caught.value.code == "charge_already_refunded"
    charge = client(standin).v1.charges.retrieve(
        client(standin).v1.payment_intents.retrieve(intent).latest_charge
    )
    assert (charge.refunded, charge.amount_refunded) == (True, 1_250_000)


def test_a_partial_refund_then_too_much(provider: PaymentProvider) -> None:
    session = provider.create_checkout(order())
    pay(session.url, PAID_CARD)
    intent = provider.session(session.id).payment_intent or ""
    assert provider.refund(intent, "r-1", amount=250_000).amount == 250_000
    with pytest.raises(PaymentRefused) as caught:
        provider.refund(intent, "r-2", amount=1_000_001)
    assert caught.value.code == "amount_too_large"
    assert provider.refund(intent, "r-3").amount == 1_000_000  # what is left


def test_refund_of_an_unpaid_session_is_refused(provider: PaymentProvider) -> None:
    with pytest.raises(PaymentRefused) as caught:
        provider.refund("pi_test_nothing", "r-x")
    assert caught.value.code == "resource_missing"


def test_a_wrong_api_key_is_a_configuration_error(standin: StandIn) -> None:
    wrong = PaymentProvider(standin.base_url, "sk_test_wrong", WEBHOOK_SECRET)
    with pytest.raises(PaymentProviderError, match="Invalid API Key") as caught:
        wrong.create_checkout(order())
    assert not isinstance(caught.value, PaymentProviderUnavailable)


def test_the_library_with_its_global_api_base(standin: StandIn, provider: PaymentProvider) -> None:
    made = provider.create_checkout(order())
    saved = (stripe.api_base, stripe.api_key)
    stripe.api_base, stripe.api_key = standin.base_url, SECRET_KEY
    try:
        found = stripe.checkout.Session.retrieve(made.id)
        assert found.id == made.id and found.status == "open"
        expired = stripe.checkout.Session.expire(made.id)
        assert expired.status == "expired"
    finally:
        stripe.api_base, stripe.api_key = saved


def test_events_are_listed_newest_first_and_page(provider: PaymentProvider, standin) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        pay(provider.create_checkout(order(f"o-{n}")).url, PAID_CARD)
    stripe_client = client(standin)
    completed = stripe_client.v1.events.list({"type": "checkout.session.completed", "limit": 2})
    assert len(completed.data) == 2 and completed.has_more
    every = list(completed.auto_paging_iter())
    assert [e.data.object.client_reference_id for e in every] == ["o-2", "o-1", "o-0"]
    one = stripe_client.v1.events.retrieve(every[0].id)
    assert one.type == "checkout.session.completed"
    kinds = {e.type for e in stripe_client.v1.events.list({"limit": 100}).data}
    assert kinds == {"charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"}


def test_idempotency_keys_are_forgotten_after_24_hours(provider, controls) -> None:  # type: ignore[no-untyped-def]
    first = provider.create_checkout(order())
    controls.post("clock/advance", seconds=24 * 3600 + 1)
    again = provider.create_checkout(order())
    assert again.id != first.id and provider.session(first.id).status == "expired"


def test_two_clicks_on_pay_charge_once(provider: PaymentProvider, standin: StandIn) -> None:
    session = provider.create_checkout(order())
    answers: list[httpx.Response] = []
    clicks = [
        threading.Thread(target=lambda: answers.append(pay(session.url, PAID_CARD)))
        for _ in range(2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(10)
    assert sorted(a.status_code for a in answers) == [200, 303]  # paid, then "complete"
    events = client(standin).v1.events.list({"type": "charge.succeeded"}).data
    assert len(events) == 1
