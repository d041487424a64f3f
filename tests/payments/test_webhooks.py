"""Webhooks from the stand-in: Stripe's signature, verified by the official library; bad and
stale signatures refused; retries with back-off after a 500; duplicate and out-of-order
delivery on request."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest
import stripe

from payments.provider import PaymentProvider, WebhookRejected
from payments.standin_webhooks import sign
from tests.payments.conftest import WEBHOOK_SECRET, Receiver, order, pay, wait_for

PAID = ["charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"]


def paid_session(provider: PaymentProvider, order_id: str = "order-1") -> str:
    session = provider.create_checkout(order(order_id))
    assert pay(session.url, "4242 4242 4242 4242").status_code == 303
    return session.id


def test_a_payment_sends_signed_events(provider: PaymentProvider, receiver: Receiver) -> None:
    session_id = paid_session(provider)
    wait_for(lambda: len(receiver.received) == 3, "three events")
    assert receiver.types() == PAID
    completed = receiver.received[2]["object"]
    assert completed["id"] == session_id and completed["payment_status"] == "paid"
    assert completed["client_reference_id"] == "order-1"
    assert completed["metadata"]["order_id"] == "order-1"
    assert receiver.rejected == []


def test_the_signature_is_stripes_format() -> None:
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "x", "data": {"object": {}}})
    header = sign(payload, WEBHOOK_SECRET, timestamp=1_700_000_000)
    t, v1 = (part.split("=", 1)[1] for part in header.split(","))
    assert t == "1700000000"
    expected = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.{payload}".encode(), hashlib.sha256)
    assert v1 == expected.hexdigest()
    # The official library's own check accepts it (given a clock at that time).
    stripe.WebhookSignature.verify_header(payload, header, WEBHOOK_SECRET, tolerance=None)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (lambda p: sign(p, "whsec_someone_else"), "No signatures found matching"),
        (lambda p: sign(p, WEBHOOK_SECRET, int(time.time()) - 301), "outside the tolerance"),
        (lambda p: None, "No Stripe-Signature header"),
        (lambda p: "t=abc,v1=def", "Unable to extract timestamp"),
        (lambda p: sign(p + " ", WEBHOOK_SECRET), "No signatures found matching"),
    ],
    ids=["other secret", "stale", "missing", "garbage", "body changed"],
)
def test_bad_and_stale_signatures_are_rejected(provider: PaymentProvider, header, why) -> None:  # type: ignore[no-untyped-def]
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "x", "data": {"object": {}}})
    with pytest.raises(WebhookRejected, match=why):
        provider.verify_webhook(payload, header(payload))


def test_a_fresh_good_signature_passes(provider: PaymentProvider) -> None:
    payload = json.dumps(
        {"id": "evt_9", "object": "event", "type": "t", "created": 5, "data": {"object": {"a": 1}}}
    )
    event = provider.verify_webhook(payload, sign(payload, WEBHOOK_SECRET, int(time.time()) - 200))
    assert (event.id, event.type, event.created, event.object) == ("evt_9", "t", 5, {"a": 1})


def test_a_forged_webhook_over_http_changes_nothing(receiver: Receiver) -> None:
    payload = json.dumps({"id": "evt_x", "object": "event", "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_forged"}}})  # fmt: skip
    answer = httpx.post(
        receiver.url, content=payload, headers={"Stripe-Signature": sign(payload, "whsec_bad")}
    )
    assert answer.status_code == 400
    assert receiver.received == [] and len(receiver.rejected) == 1


def test_retries_with_back_off_after_a_500(provider, receiver: Receiver, controls) -> None:  # type: ignore[no-untyped-def]
    receiver.fail_next = 2
    provider.expire(provider.create_checkout(order()).id)  # one event: checkout.session.expired
    wait_for(lambda: receiver.received, "the event, after the retries")
    assert receiver.types() == ["checkout.session.expired"]
    tries = controls.deliveries()
    assert [(d["attempt"], d["status"]) for d in tries] == [(1, 500), (2, 500), (3, 200)]
    assert len({d["event"] for d in tries}) == 1
    # Exponential: 0.05 s, then 0.1 s (base_delay 0.05 in the fixture).
    assert tries[1]["at"] - tries[0]["at"] >= 0.05
    assert tries[2]["at"] - tries[1]["at"] >= 0.1


def test_every_event_of_a_payment_arrives_despite_500s(provider, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.fail_next = 4
    paid_session(provider)
    wait_for(lambda: len(receiver.received) == 3, "every event, after the retries")
    assert sorted(receiver.types()) == sorted(PAID)
    assert receiver.answers.count(500) == 4


def test_an_unreachable_endpoint_is_retried_then_given_up(provider, controls, standin) -> None:  # type: ignore[no-untyped-def]
    controls.post("webhook", url="http://127.0.0.1:9/nothing", base_delay=0.01, max_attempts=3)
    session = provider.create_checkout(order())
    provider.expire(session.id)
    wait_for(lambda: len(controls.deliveries()) == 3, "three attempts")
    log = controls.deliveries()
    assert [d["attempt"] for d in log] == [1, 2, 3]
    assert all(d["status"] is None and "ConnectError" in d["error"] for d in log)
    time.sleep(0.1)  # a fourth attempt would be due by now (0.04 s)
    assert len(controls.deliveries()) == 3


def test_duplicate_delivery_on_request(provider, receiver: Receiver, controls) -> None:  # type: ignore[no-untyped-def]
    controls.post("webhooks/duplicate", count=3)
    paid_session(provider)
    wait_for(lambda: len(receiver.received) == 6, "each event twice")
    ids = [e["id"] for e in receiver.received]
    assert len(set(ids)) == 3 and all(ids.count(i) == 2 for i in ids)
    # Only the next three: the next payment's events come once.
    paid_session(provider, "order-2")
    wait_for(lambda: len(receiver.received) == 9, "the second payment's events")
    assert len({e["id"] for e in receiver.received}) == 6


def test_out_of_order_delivery_on_request(provider, receiver: Receiver, controls) -> None:  # type: ignore[no-untyped-def]
    controls.post("webhooks/hold")
    session_id = paid_session(provider)
    refund = provider.refund(provider.session(session_id).payment_intent or "", "refund-1")
    time.sleep(0.1)
    assert receiver.received == []  # held
    assert controls.post("webhooks/release", order="reverse") == {"released": 5}
    wait_for(lambda: len(receiver.received) == 5, "the held events")
    assert receiver.types() == ["charge.refunded", "refund.created", *reversed(PAID)]
    assert receiver.received[1]["object"]["id"] == refund.id
    assert receiver.received[0]["object"]["refunded"] is True


def test_resend_one_event(provider, receiver: Receiver, controls) -> None:  # type: ignore[no-untyped-def]
    paid_session(provider)
    wait_for(lambda: len(receiver.received) == 3, "three events")
    completed = receiver.received[2]["id"]
    controls.post("webhooks/resend", event=completed)
    wait_for(lambda: len(receiver.received) == 4, "the resent event")
    assert receiver.received[3]["id"] == completed


def test_refund_events(provider, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    session_id = paid_session(provider)
    provider.refund(provider.session(session_id).payment_intent or "", "refund-1")
    wait_for(lambda: len(receiver.received) == 5, "the refund's events")
    assert receiver.types()[3:] == ["refund.created", "charge.refunded"]


def test_a_declined_card_sends_payment_failed(provider, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    session = provider.create_checkout(order())
    pay(session.url, "4000 0000 0000 0002")
    wait_for(lambda: receiver.received, "the failure event")
    assert receiver.types() == ["payment_intent.payment_failed"]
    assert receiver.received[0]["object"]["last_payment_error"]["code"] == "card_declined"
