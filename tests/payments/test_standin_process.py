"""``python -m payments.standin`` as make run starts it: keys from the environment, the
webhook endpoint from --webhook-url."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from payments.provider import PaymentProvider
from payments.standin import DEV_SECRET_KEY
from tests.e2e.test_end_to_end import free_port
from tests.payments.conftest import order, wait_for

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def process_url():  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        "STRIPE_SECRET_KEY": "sk_test_from_env",
        "STRIPE_WEBHOOK_SECRET": "whsec_from_env",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "payments.standin", "--host", "127.0.0.1", "--port", str(port),
         "--webhook-url", "http://127.0.0.1:9/webhook"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/_standin/health").status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, "the stand-in process to answer", timeout=30)
        yield url
    finally:
        child.terminate()
        child.communicate(timeout=10)  # reaps it and closes the pipe


def test_the_process_takes_its_keys_and_webhook_url_from_make_run(process_url: str) -> None:
    good = PaymentProvider(process_url, "sk_test_from_env", "whsec_from_env")
    session = good.create_checkout(order())
    assert session.url and session.url.startswith(f"{process_url}/pay/")
    httpx.post(f"{process_url}/_standin/webhook", json={"base_delay": 0.01, "max_attempts": 1})
    good.expire(session.id)
    deliveries = wait_for(
        lambda: httpx.get(f"{process_url}/_standin/webhooks/deliveries").json()["deliveries"],
        "a delivery attempt to the configured endpoint",
    )
    assert deliveries[0]["type"] == "checkout.session.expired" and deliveries[0]["error"]
    refused = httpx.get(f"{process_url}/v1/events", auth=(DEV_SECRET_KEY, ""))
    assert refused.status_code == 401  # the development default is not the key in force
