"""Issue 24 finding 4: forwarded headers are believed only from TRUSTED_PROXIES (or, with
AOS_BEHIND_PROXY=1 alone, from a proxy on this machine); the per-IP limits key on the
address that connected for anyone else, so a rotating X-Forwarded-For gains nothing."""

from __future__ import annotations

import pytest
from flask import request

from core.config import ConfigError, load_settings
from tests.webapp.conftest import csrf_token
from tests.webapp.test_support import LOGIN_PROBLEM, requests_in

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "aos.example",
}
OUTSIDER = "198.51.100.9"


def _whoami(app, peer: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    @app.get("/_test/whoami")
    def whoami() -> dict[str, str]:
        return {"ip": request.remote_addr or "", "scheme": request.scheme, "host": request.host}

    answer = app.test_client().get(
        "/_test/whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": peer}
    )
    return answer.json


def test_a_named_proxy_is_believed(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "TRUSTED_PROXIES": "10.0.0.5, 2001:db8::/32"})
    assert _whoami(app, "10.0.0.5") == {
        "ip": "203.0.113.7",
        "scheme": "https",
        "host": "aos.example",
    }


def test_an_address_inside_a_named_network_is_believed(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "TRUSTED_PROXIES": "10.0.0.5 2001:db8::/32"})
    assert _whoami(app, "2001:db8::17")["ip"] == "203.0.113.7"


@pytest.mark.parametrize(
    "env",
    [{"TRUSTED_PROXIES": "10.0.0.5"}, {"AOS_BEHIND_PROXY": "1"}],
    ids=["named", "behind-proxy"],
)
def test_forwarded_headers_from_anyone_else_are_dropped(app_env, make_app, env) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, **env})
    assert _whoami(app, OUTSIDER) == {"ip": OUTSIDER, "scheme": "http", "host": "localhost"}


def test_behind_proxy_alone_believes_a_proxy_on_this_machine(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "AOS_BEHIND_PROXY": "1"})
    assert _whoami(app, "127.0.0.1")["ip"] == "203.0.113.7"
    assert load_settings({**app_env, "AOS_BEHIND_PROXY": "1"}).trusted_proxies == (
        "127.0.0.1/32",
        "::1/128",
    )


def test_a_rotating_forwarded_for_does_not_escape_the_per_ip_limit(app_env, make_app) -> None:  # type: ignore[no-untyped-def]
    """Gunicorn reached directly (not through the proxy) with AOS_BEHIND_PROXY=1, the compose
    default: five help requests an hour per address, whatever X-Forwarded-For says."""
    app = make_app({**app_env, "AOS_BEHIND_PROXY": "1"})
    client = app.test_client()
    answers = []
    for n in range(6):
        token = csrf_token(client, "/help/new/other?lang=en")
        answers.append(
            client.post(
                "/help/new/other",
                data={**LOGIN_PROBLEM, "subject": "Hi", "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
                environ_base={"REMOTE_ADDR": OUTSIDER},
            ).status_code
        )
    assert answers == [302] * 5 + [429]
    assert len(requests_in(app)) == 5


def test_a_mistyped_proxy_address_stops_the_start(app_env) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES: '10.0.0.300'"):
        load_settings({**app_env, "TRUSTED_PROXIES": "10.0.0.300"})
