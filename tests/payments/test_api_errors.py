"""Bad requests to the stand-in's API get Stripe's error shapes, never a 500."""

from __future__ import annotations

import httpx
import pytest
import stripe

from payments.standin import StandIn
from tests.payments.conftest import SECRET_KEY


def client(standin: StandIn) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": standin.base_url})


@pytest.mark.parametrize(
    ("form", "status", "code", "param"),
    [
        ({}, 400, "parameter_missing", "mode"),
        ({"mode": "subscription"}, 400, "parameter_invalid_string", "mode"),
        ({"mode": "payment"}, 400, "parameter_missing", "line_items"),
        (
            {"mode": "payment", "line_items[0][price]": "price_1", "line_items[0][quantity]": "1"},
            404, "resource_missing", "line_items[0][price]",
        ),
        (
            {
                "mode": "payment", "line_items[0][quantity]": "x",
                "line_items[0][price_data][currency]": "eur",
                "line_items[0][price_data][unit_amount]": "100",
                "line_items[0][price_data][product_data][name]": "A",
            },
            400, "parameter_invalid_integer", "line_items[0][quantity]",
        ),
        (
            {"mode": "payment", "line_items[0][quantity]": "1",
             "line_items[0][price_data][currency]": "eur",
             "line_items[0][price_data][unit_amount]": "100",
             "line_items[0][price_data][product_data][name]": "A", "metadata": "flat"},
            400, "parameter_invalid_string", "metadata",
        ),
    ],
    ids=["no mode", "subscription", "no items", "unknown price", "bad quantity", "bad metadata"],
)  # fmt: skip
def test_bad_requests_get_stripes_errors(standin: StandIn, form, status, code, param) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.post(
        f"{standin.base_url}/v1/checkout/sessions",
        data=form,
        headers={"Authorization": f"Bearer {SECRET_KEY}", "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == status
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param)
    assert error["message"]


def test_an_unknown_route_and_object_are_404_in_stripes_shape(standin: StandIn) -> None:
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    gone = httpx.get(f"{standin.base_url}/v1/customers", headers=auth)
    assert gone.status_code == 404 and "Unrecognized request URL" in gone.json()["error"]["message"]
    with pytest.raises(stripe.InvalidRequestError, match="No such checkout.session"):
        client(standin).v1.checkout.sessions.retrieve("cs_test_missing")
    # curl -u sk_...: works as with Stripe.
    assert httpx.get(f"{standin.base_url}/v1/events", auth=(SECRET_KEY, "")).status_code == 200
