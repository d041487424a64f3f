"""The outage switch: the API answering 503, or its port refusing connections; the client
sees a typed PaymentProviderUnavailable and nothing half-made."""

from __future__ import annotations

import httpx
import pytest
import stripe

from payments.provider import PaymentProvider, PaymentProviderUnavailable
from payments.standin import StandIn
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET, order, wait_for


def sessions(standin: StandIn) -> list[str]:
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": standin.base_url})
    return [s.id for s in client.v1.checkout.sessions.list({"limit": 100}).data]


def test_503_outage(provider: PaymentProvider, controls, standin: StandIn) -> None:  # type: ignore[no-untyped-def]
    made = provider.create_checkout(order("order-before"))
    assert controls.post("outage", mode="503") == {"outage": "503"}
    with pytest.raises(PaymentProviderUnavailable, match="outage"):
        provider.create_checkout(order())
    with pytest.raises(PaymentProviderUnavailable):
        provider.session(made.id)
    assert httpx.get(made.url).status_code == 503  # the hosted page is down too
    controls.post("outage", mode="off")
    assert sessions(standin) == [made.id]  # nothing was made during the outage
    after = provider.create_checkout(order())
    assert after.status == "open" and provider.create_checkout(order()).id == after.id


def test_the_library_retries_a_503_with_the_same_key(provider, controls, standin) -> None:  # type: ignore[no-untyped-def]
    # With retries on, the library sends the request again with the same Idempotency-Key:
    # still one session once the provider is back.
    retrying = PaymentProvider(standin.base_url, SECRET_KEY, WEBHOOK_SECRET, max_network_retries=2)
    controls.post("outage", mode="503")
    with pytest.raises(PaymentProviderUnavailable):
        retrying.create_checkout(order())
    controls.post("outage", mode="off")
    assert retrying.create_checkout(order()).id == provider.create_checkout(order()).id
    assert len(sessions(standin)) == 1


def test_refused_connections(provider: PaymentProvider, standin: StandIn) -> None:
    made = provider.create_checkout(order())
    standin.refuse()
    with pytest.raises(PaymentProviderUnavailable, match="(?i)connect"):
        provider.create_checkout(order("order-2"))
    with pytest.raises(httpx.ConnectError):
        httpx.get(made.url)
    standin.accept()
    assert provider.session(made.id).status == "open"  # same port, same state


def test_refuse_over_http_ends_by_itself(provider: PaymentProvider, controls, standin) -> None:  # type: ignore[no-untyped-def]
    made = provider.create_checkout(order())
    assert controls.post("outage", mode="refuse", seconds=1)["outage"] == "refuse"

    def refused() -> bool:
        try:
            provider.session(made.id)
        except PaymentProviderUnavailable:
            return True
        return False

    wait_for(refused, "the port to close")
    wait_for(lambda: not refused(), "the port to open again", timeout=10)
    assert provider.session(made.id).status == "open"


def test_bad_outage_requests_are_explained(controls) -> None:  # type: ignore[no-untyped-def]
    for path, body in (
        ("outage", {"mode": "sideways"}),
        ("outage", {"mode": "refuse"}),
        ("outage", {"mode": "refuse", "seconds": "x"}),
        ("webhooks/duplicate", {"count": "NaN"}),
        ("clock/advance", {"seconds": -5}),
        ("webhooks/release", {"order": "random"}),
    ):
        answer = httpx.post(f"{controls.base}/_standin/{path}", json=body)
        assert answer.status_code == 400 and answer.json()["error"], (path, body)
