"""Data that cannot make a lawful invoice is refused before a number is taken."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core.models import InvoiceCounter
from invoicing.issuing import InvoiceRefused, issue_invoice
from invoicing.rates import DayRate
from tests.invoicing.conftest import DAY_TICKET, HU_BUYER, request_for

RATE = DayRate("EUR", date(2026, 12, 5), Decimal("390.12"), 1, date(2026, 12, 4))


@pytest.mark.parametrize(
    ("changes", "rate", "reason"),
    [
        ({"currency": "USD"}, RATE, "currency 'USD'"),
        ({"payment_method": "cash"}, RATE, "payment method 'cash'"),
        ({"lines": ()}, RATE, "at least one line"),
        ({}, None, "needs MNB's rate"),
        ({"fulfilment_date": date(2026, 12, 7)}, RATE, "the rate is of 2026-12-05"),
        ({"lines": (replace(DAY_TICKET, period_to=date(2026, 12, 4)),)}, RATE, "impossible"),
        ({"lines": (replace(DAY_TICKET, quantity=0),)}, RATE, "impossible"),
    ],
)
def test_impossible_invoices_are_refused_without_a_number(
    sessions: sessionmaker,
    seller,  # type: ignore[no-untyped-def]
    changes: dict,  # type: ignore[type-arg]
    rate: DayRate | None,
    reason: str,
) -> None:
    with sessions() as session, pytest.raises(InvoiceRefused, match=reason):
        issue_invoice(session, seller, request_for(HU_BUYER, **changes), rate)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvoiceCounter)) == 0


def test_a_forint_invoice_needs_no_rate(sessions: sessionmaker, seller) -> None:  # type: ignore[no-untyped-def]
    ticket = replace(DAY_TICKET, unit_net=1000000)  # 10 000,00 HUF
    with sessions() as session:
        invoice = issue_invoice(
            session, seller, request_for(HU_BUYER, currency="HUF", lines=(ticket,)), None
        )
        session.commit()
        assert (invoice.exchange_rate, invoice.rate_date) == (None, None)
        assert (invoice.net_total_huf, invoice.vat_total_huf, invoice.gross_total_huf) == (
            10000,
            2700,
            12700,
        )
