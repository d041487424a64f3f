"""Gap-free numbers under concurrency, and issued invoices the database will not change."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from core.models import Invoice, InvoiceLine
from invoicing.issuing import InvoiceRefused, issue_credit_note, issue_invoice
from invoicing.rates import DayRate
from tests.invoicing.conftest import DE_BUYER, HU_BUYER, request_for

RATE = DayRate("EUR", date(2026, 12, 5), Decimal("390.12"), 1, date(2026, 12, 4))
PARALLEL = 50


def _issue(sessions: sessionmaker, seller, buyer=HU_BUYER) -> str:  # type: ignore[no-untyped-def]
    with sessions() as session:
        invoice = issue_invoice(session, seller, request_for(buyer), RATE)
        session.commit()
        return invoice.number


def test_fifty_parallel_issues_neither_skip_nor_repeat(sessions: sessionmaker, seller) -> None:  # type: ignore[no-untyped-def]
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(PARALLEL)

    def issue() -> None:
        try:
            start.wait(timeout=30)
            numbers.append(_issue(sessions, seller))
        except BaseException as err:  # reported below, with the numbers that were issued
            errors.append(err)

    threads = [threading.Thread(target=issue) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert sorted(numbers) == [f"AOS-2026-{n:06d}" for n in range(1, PARALLEL + 1)]


def test_a_rolled_back_issue_gives_its_number_back(sessions: sessionmaker, seller) -> None:  # type: ignore[no-untyped-def]
    assert _issue(sessions, seller) == "AOS-2026-000001"
    with sessions() as session:
        assert issue_invoice(session, seller, request_for(HU_BUYER), RATE).number == (
            "AOS-2026-000002"
        )
        session.rollback()  # e.g. the payment's record could not be written
    assert _issue(sessions, seller) == "AOS-2026-000002"
    next_year = request_for(HU_BUYER, issue_date=date(2027, 1, 2))
    with sessions() as session:
        assert issue_invoice(session, seller, next_year, RATE).number == "AOS-2027-000001"
        session.commit()


def test_the_database_refuses_to_change_or_delete_an_issued_invoice(
    sessions: sessionmaker,
    seller,  # type: ignore[no-untyped-def]
) -> None:
    number = _issue(sessions, seller)
    statements = [
        "UPDATE invoices SET buyer_name = 'Someone else'",
        "UPDATE invoices SET gross_total = 0",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET net = 1",
        "DELETE FROM invoice_lines",
    ]
    if sessions.kw["bind"].dialect.name == "postgresql":  # SQLite has no TRUNCATE
        statements += ["TRUNCATE invoice_lines", "TRUNCATE invoices CASCADE"]
    for statement in statements:
        with sessions() as session, pytest.raises(DBAPIError, match="cannot be changed"):
            session.execute(text(statement))
            session.commit()
    with sessions() as session:
        invoice = session.execute(select(Invoice).where(Invoice.number == number)).scalar_one()
        assert (invoice.buyer_name, invoice.gross_total) == (HU_BUYER.name, 3175)
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 1


def test_a_refund_is_a_credit_note_with_its_own_number(sessions: sessionmaker, seller) -> None:  # type: ignore[no-untyped-def]
    original = _issue(sessions, seller, DE_BUYER)
    with sessions() as session:
        credit = issue_credit_note(session, seller, original, date(2026, 12, 9))
        session.commit()
        assert credit.number == "AOS-2026-000002" and credit.kind == "credit_note"
        assert credit.original.number == original
        assert (credit.net_total, credit.vat_total, credit.gross_total) == (-2500, 0, -2500)
        assert (credit.exchange_rate, credit.rate_date) == ("390.12", date(2026, 12, 4))
        assert credit.net_total_huf == -9753  # 25 EUR × 390.12, negated
        assert [(li.quantity, li.net) for li in credit.lines] == [(-1, -2500)]
    with sessions() as session, pytest.raises(InvoiceRefused, match="already cancelled"):
        issue_credit_note(session, seller, original, date(2026, 12, 10))
    with sessions() as session, pytest.raises(InvoiceRefused, match="not an issued invoice"):
        issue_credit_note(session, seller, "AOS-2026-000002", date(2026, 12, 10))
