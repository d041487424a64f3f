"""The STRIPE_* settings, and the facts make run and the payments package both write."""

from __future__ import annotations

from core.config import load_settings
from devtools.run import DEV_STRIPE_SECRET_KEY, DEV_STRIPE_WEBHOOK_SECRET, STRIPE_WEBHOOK_PATH
from payments import standin as standin_module
from payments.provider import WEBHOOK_PATH, PaymentProvider


def test_settings_and_make_run_agree() -> None:
    settings = load_settings(
        {
            "AOS_ENV": "testing",
            "SECRET_KEY": "k" * 40,
            "STRIPE_API_BASE": "http://127.0.0.1:8090/",
            "STRIPE_SECRET_KEY": "sk_test_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_y",
        }
    )
    assert settings.stripe_api_base == "http://127.0.0.1:8090"
    assert "sk_test_x" not in repr(settings) and "whsec_y" not in repr(settings)
    assert PaymentProvider.from_settings(settings).webhook_secret == "whsec_y"
    assert STRIPE_WEBHOOK_PATH == WEBHOOK_PATH
    assert standin_module.DEFAULT_PORT == 8090
    # A bare `honcho start` (no keys in the environment) pairs the stand-in and the portal too.
    assert DEV_STRIPE_SECRET_KEY == standin_module.DEV_SECRET_KEY
    assert DEV_STRIPE_WEBHOOK_SECRET == standin_module.DEV_WEBHOOK_SECRET
    assert load_settings({"SECRET_KEY": "k" * 40}).stripe_api_base == "https://api.stripe.com"
