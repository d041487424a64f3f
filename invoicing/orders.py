"""What an order's workflow calls (through an activity): invoice a paid order, credit a
refunded one, get the PDF. Each call is idempotent, so an activity that is retried after its
commit gets the document it already made instead of a second one with a new number."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from core.config import InvoiceSettings
from core.models import Invoice
from invoicing.issuing import InvoiceRefused, InvoiceRequest, issue_credit_note, issue_invoice
from invoicing.pdf import render_pdf
from invoicing.rates import ExchangeRates


def _of_order(sessions: sessionmaker, order_ref: str, kind: str) -> Invoice | None:
    with sessions() as session:
        return session.execute(
            select(Invoice).where(Invoice.order_ref == order_ref, Invoice.kind == kind)
        ).scalar_one_or_none()


def invoice_paid_order(
    sessions: sessionmaker,
    seller: InvoiceSettings,
    rates: ExchangeRates,
    request: InvoiceRequest,
) -> Invoice:
    """The order's invoice, issued now or found. MNB's rate of the fulfilment date is looked
    up first (MnbUnavailable when it cannot be: retry later); the number is taken and the
    invoice stored in one transaction."""
    if not request.order_ref:
        raise InvoiceRefused("an order's invoice needs its order_ref")
    found = _of_order(sessions, request.order_ref, "invoice")
    if found is not None:
        return found
    rate = None
    if request.currency != "HUF":
        rate = rates.rate_on(request.currency, request.fulfilment_date)
    with sessions() as session:
        try:
            invoice = issue_invoice(session, seller, request, rate)
            session.commit()
        except IntegrityError:  # a concurrent attempt for the same order committed first
            session.rollback()
            found = _of_order(sessions, request.order_ref, "invoice")
            if found is None:
                raise
            return found
        return invoice


def credit_refunded_order(
    sessions: sessionmaker, seller: InvoiceSettings, order_ref: str, issue_date: date
) -> Invoice:
    """The credit note cancelling the order's invoice, issued now or found."""
    found = _of_order(sessions, order_ref, "credit_note")
    if found is not None:
        return found
    original = _of_order(sessions, order_ref, "invoice")
    if original is None:
        raise InvoiceRefused(f"order {order_ref} has no invoice to credit")
    with sessions() as session:
        try:
            credit = issue_credit_note(session, seller, original.number, issue_date)
            session.commit()
        except IntegrityError:
            session.rollback()
            found = _of_order(sessions, order_ref, "credit_note")
            if found is None:
                raise
            return found
        return credit


def invoice_pdf(sessions: sessionmaker, number: str) -> bytes | None:
    """The PDF of the invoice or credit note `number`; None when there is none."""
    with sessions() as session:
        invoice = session.execute(
            select(Invoice).where(Invoice.number == number)
        ).scalar_one_or_none()
        return None if invoice is None else render_pdf(invoice)
