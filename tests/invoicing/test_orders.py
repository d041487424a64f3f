"""What an order workflow calls: invoice a paid order, credit a refund, get the PDF; each
call safe to repeat (an activity is retried), and MNB down costs no number."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core.models import Invoice, InvoiceCounter
from invoicing.issuing import InvoiceRefused
from invoicing.mnb import MnbClient, MnbUnavailable
from invoicing.orders import credit_refunded_order, invoice_paid_order, invoice_pdf
from invoicing.rates import ExchangeRates
from tests.invoicing.conftest import DE_BUYER, control, request_for


def _rates(sessions: sessionmaker, mnb_url: str) -> ExchangeRates:
    return ExchangeRates(sessions, MnbClient(mnb_url), today=lambda: date(2026, 12, 20))


def test_a_paid_order_is_invoiced_once_and_credited_once(
    sessions: sessionmaker,
    seller,
    mnb_url: str,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    control(mnb_url, "rates", {"EUR": {"2026-12-04": "390,12"}})
    rates = _rates(sessions, mnb_url)
    paid = request_for(DE_BUYER, order_ref="order-42")
    first = invoice_paid_order(sessions, seller, rates, paid)
    again = invoice_paid_order(sessions, seller, rates, paid)  # the activity, retried
    assert first.number == again.number == "AOS-2026-000001"
    assert (first.exchange_rate, first.rate_date) == ("390.12", date(2026, 12, 4))  # Friday's
    credit = credit_refunded_order(sessions, seller, "order-42", date(2026, 12, 9))
    assert credit_refunded_order(sessions, seller, "order-42", date(2026, 12, 9)).id == credit.id
    assert (credit.number, credit.original.number) == ("AOS-2026-000002", first.number)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 2
    pdf = invoice_pdf(sessions, credit.number)
    assert pdf is not None and invoice_pdf(sessions, "AOS-2026-000099") is None
    (tmp_path / "credit.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "credit.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "AOS-2026-000001" in text and "Sztornó számla / Credit note" in text


def test_mnb_down_issues_nothing_and_takes_no_number(
    sessions: sessionmaker,
    seller,
    mnb_url: str,  # type: ignore[no-untyped-def]
) -> None:
    rates = _rates(sessions, mnb_url)
    control(mnb_url, "outage", {"count": 1})
    with pytest.raises(MnbUnavailable):
        invoice_paid_order(sessions, seller, rates, request_for(DE_BUYER, order_ref="o-1"))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
        assert session.scalar(select(func.count()).select_from(InvoiceCounter)) == 0
    later = invoice_paid_order(sessions, seller, rates, request_for(DE_BUYER, order_ref="o-1"))
    assert later.number == "AOS-2026-000001"


def test_a_refund_without_an_invoice_is_refused(sessions: sessionmaker, seller) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvoiceRefused, match="has no invoice"):
        credit_refunded_order(sessions, seller, "order-unknown", date(2026, 12, 9))
