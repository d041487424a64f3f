"""Shared fixtures: real parts everywhere.

- database: SQLite in a temp dir, or PostgreSQL when TEST_DATABASE_URL is set; the schema
  comes from the migrations (alembic upgrade head), as in production;
- SMTP: a real aiosmtpd server (the development mail catcher) on a free port;
- VIES: the local stand-in over real HTTP;
- Temporal: the time-skipping test server, and a real `temporal server start-dev`.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text

from core import ast_threads
from core.config import load_settings
from core.db import Base, create_schema, make_engine
from devtools.mailcatcher import list_messages, start_catcher
from vies.standin import serve_in_thread
from webapp import create_app

# Before any test starts a thread: workers in this process format tracebacks while tests
# build apps (core/ast_threads.py says why they must take turns).
ast_threads.install()

# A developer's .env (written by `make run`) must not reach the processes the tests start:
# they are configured by their environment only. tests/devtools/test_dotenv.py lifts this.
os.environ["FLASK_SKIP_DOTENV"] = "1"

BIN = Path(sys.executable).parent
TEST_SERVER = BIN / "temporal-test-server"
TEMPORAL_CLI = BIN / "temporal"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'aos-test.db'}"
    )
    engine = make_engine(url)
    drop_everything(engine)
    create_schema(engine)  # alembic upgrade head: the tests run on the migrated schema
    engine.dispose()
    yield url


def drop_everything(engine) -> None:  # type: ignore[no-untyped-def]
    """Every table in the database, alembic_version and leftovers of older runs included."""
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


@pytest.fixture
def clean_db(database_url: str) -> Iterator[str]:
    """Each test starts with empty tables."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))
    engine.dispose()
    yield database_url


class Mailbox:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port

    def messages(self, to: str | None = None):  # type: ignore[no-untyped-def]
        found = list_messages(self.directory)
        return [m for m in found if to is None or to in m.recipients]

    def wait_for(self, to: str, count: int = 1, timeout: float = 15.0):  # type: ignore[no-untyped-def]
        """The messages to `to`, newest first, once at least `count` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{len(found)} message(s) to {to}, expected {count}"
                return found
            time.sleep(0.05)

    def clear(self) -> None:
        for path in self.directory.iterdir():
            path.unlink()


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailbox]:
    directory = tmp_path_factory.mktemp("mail")
    port, stop = start_catcher(directory)
    yield Mailbox(directory, port)
    stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Mailbox:
    smtp_server.clear()
    return smtp_server


@pytest.fixture(scope="session")
def vies_url() -> Iterator[str]:
    url, stop = serve_in_thread()
    yield url
    stop()


@pytest.fixture
def vies(vies_url: str) -> Iterator[str]:
    import httpx

    httpx.post(f"{vies_url}/_control/reset", timeout=5)
    yield vies_url
    httpx.post(f"{vies_url}/_control/reset", timeout=5)


def make_env(database_url: str, smtp_port: int, vies_url: str, **extra: str) -> dict[str, str]:
    env = {
        "AOS_ENV": "testing",
        "SECRET_KEY": "test-secret-key-only-for-the-test-suite",
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.test>",
        "VIES_URL": vies_url,
        "PUBLIC_BASE_URL": "http://aos.test",
        "ADMIN_NOTIFY_EMAILS": "reviewers@aos.test",
        "TEMPORAL_TASK_QUEUE": f"aos-test-{uuid.uuid4().hex[:8]}",
        # Production refuses to start without them (core/production.py).
        "STRIPE_SECRET_KEY": "sk_test_for_the_test_suite",
        "STRIPE_WEBHOOK_SECRET": "whsec_for_the_test_suite",
    }
    env.update(extra)
    return env


@pytest.fixture
def app_env(clean_db: str, mailbox: Mailbox, vies: str) -> dict[str, str]:
    return make_env(clean_db, mailbox.port, vies)


def dispose(app) -> None:  # type: ignore[no-untyped-def]
    app.extensions["aos_temporal"].close()
    app.extensions["aos_engine"].dispose()


@pytest.fixture
def make_app():  # type: ignore[no-untyped-def]
    """Build apps from an environment; each is disposed of after the test."""
    made = []

    def build(env: dict[str, str]):  # type: ignore[no-untyped-def]
        app = create_app(load_settings(env), overrides={"TESTING": True})
        made.append(app)
        return app

    yield build
    for app in made:
        dispose(app)


@pytest.fixture
def app(app_env: dict[str, str], make_app):  # type: ignore[no-untyped-def]
    return make_app(app_env)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()
