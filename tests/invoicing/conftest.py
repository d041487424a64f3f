"""Each invoicing test gets a database of its own, migrated from empty: issued invoices
cannot be deleted (that is the point), so no test can clean up after another.

SQLite: a new file. PostgreSQL: a new schema in the database of TEST_DATABASE_URL when it is
PostgreSQL (CI's), else in `test_invoicing` on the local server (created when missing),
dropped afterwards."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from core.config import load_settings
from core.db import create_schema, make_engine, make_session_factory
from invoicing.issuing import Buyer, InvoiceRequest, TicketLine
from invoicing.mnb_standin import serve_in_thread

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test_invoicing"


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else LOCAL_POSTGRES


def _reachable_postgres(url: str) -> Engine:
    """An engine on `url`; the local `test_invoicing` database is created when missing.
    Numbering must be shown on PostgreSQL too, so an unreachable server fails the test."""
    engine = create_engine(url)
    try:
        with engine.connect():
            return engine
    except OperationalError as err:
        engine.dispose()
        if url != LOCAL_POSTGRES or "does not exist" not in str(err):
            pytest.fail(
                f"PostgreSQL at {url} cannot be reached ({err.orig}); start it, or set "
                "TEST_DATABASE_URL=postgresql+psycopg://…"
            )
    server = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text("CREATE DATABASE test_invoicing"))
    server.dispose()
    return create_engine(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path) -> Iterator[sessionmaker]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'invoices.db'}")
        create_schema(engine)
        yield make_session_factory(engine)
        engine.dispose()
        return
    schema = f"invoicing_test_{uuid.uuid4().hex[:8]}"
    admin = _reachable_postgres(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        postgres_url(),
        connect_args={"options": f"-csearch_path={schema}"},
        pool_size=10,
        max_overflow=50,
    )
    try:
        create_schema(engine)
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def seller():  # type: ignore[no-untyped-def]
    return load_settings({"AOS_ENV": "testing", "SECRET_KEY": "x" * 40}).invoicing


@pytest.fixture(scope="session")
def mnb_server() -> Iterator[str]:
    url, stop = serve_in_thread()
    yield url
    stop()


@pytest.fixture
def mnb_url(mnb_server: str) -> str:
    import httpx

    httpx.post(mnb_server.replace("/arfolyamok.asmx", "/_control/reset"), timeout=5)
    return mnb_server


def control(mnb_url: str, what: str, body: dict) -> None:  # type: ignore[type-arg]
    import httpx

    httpx.post(mnb_url.replace("/arfolyamok.asmx", f"/_control/{what}"), json=body, timeout=5)


HU_BUYER = Buyer(
    "Minta Autószerviz Kft.", "6720 Szeged, Dugonics tér 2.", "HU", "12345676-2-06", True
)
DE_BUYER = Buyer("Werkstatt Müller GmbH", "Hauptstraße 5, 80331 München", "DE", "DE129273398", True)
XI_BUYER = Buyer("Belfast Motors Ltd", "12 Donegall Sq, Belfast BT1 5GS", "XI", "XI123456782", True)
DAY_TICKET = TicketLine(
    ticket="day",
    description="Egynapos hozzáférés / One-day access",
    period_from=date(2026, 12, 5),
    period_to=date(2026, 12, 5),
    unit_net=2500,  # 25.00 EUR
)


_ORDERS = itertools.count(1)


def request_for(buyer: Buyer, **changes) -> InvoiceRequest:  # type: ignore[no-untyped-def]
    values = dict(
        buyer=buyer,
        lines=(DAY_TICKET,),
        currency="EUR",
        issue_date=date(2026, 12, 5),
        fulfilment_date=date(2026, 12, 5),
        payment_date=date(2026, 12, 5),
        payment_method="card",
        order_ref=f"order-{next(_ORDERS)}",  # one invoice per order
    )
    values.update(changes)
    return InvoiceRequest(**values)
