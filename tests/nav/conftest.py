from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from nav.client import NavClient, NavConfig, Software
from nav.dev import DEV_USER
from nav.standin import serve_in_thread
from tests.workflows.conftest import ts_env, ts_worker  # noqa: F401 - for the workflow tests


class StandIn:
    def __init__(self, url: str, app) -> None:  # type: ignore[no-untyped-def]
        self.url, self.app = url, app
        self.state = app.extensions["nav_standin"]
        self.control = url.split("/invoiceService")[0] + "/_control"

    def post(self, what: str, **body: object) -> None:
        httpx.post(f"{self.control}/{what}", json=body).raise_for_status()

    def config(self, **user: str) -> NavConfig:
        return NavConfig(
            api_url=self.url,
            user=replace(DEV_USER, **user),
            software=Software(software_id="HU12345676-AOS-001"),
            timeout=2.0,
        )

    def client(self, **user: str) -> NavClient:
        return NavClient(self.config(**user))


@pytest.fixture(scope="session")
def _nav_server() -> Iterator[StandIn]:
    url, app, stop = serve_in_thread()
    yield StandIn(url, app)
    stop()


@pytest.fixture
def nav_standin(_nav_server: StandIn) -> Iterator[StandIn]:
    _nav_server.post("reset")
    _nav_server.post("polls", count=0)
    yield _nav_server
    _nav_server.post("reset")


@pytest.fixture
def app_env(clean_db: str, mailbox, vies: str, nav_standin: StandIn) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The suite's app environment with NAV at the stand-in (the dev technical user)."""
    from tests.conftest import make_env

    return make_env(clean_db, mailbox.port, vies, NAV_API_URL=nav_standin.url, NAV_TIMEOUT="2")
