"""Issuing invoices and credit notes from plain data (an order workflow's activity calls it).

`issue_invoice` and `issue_credit_note` add the rows to the caller's session and take the
number in its transaction (invoicing.numbering); the caller commits. The exchange rate is
looked up before (invoicing.rates), outside the transaction, so no network call happens
while the series is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import InvoiceSettings
from core.models import Invoice, InvoiceLine
from invoicing.numbering import allocate, format_number
from invoicing.rates import DayRate
from invoicing.vat import to_huf, vat_amount, vat_treatment

CURRENCIES = ("EUR", "HUF")
PAYMENT_METHODS = ("card", "transfer")


class InvoiceRefused(ValueError):
    """The data cannot make a lawful invoice (said in English for the log and the caller)."""


@dataclass(frozen=True)
class Buyer:
    name: str  # the registered company name, as VIES holds it
    address: str
    country: str  # ISO code; XI for Northern Ireland
    vat_number: str | None  # with its country prefix for EU buyers, adószám for HU ones
    vies_valid: bool  # VIES confirmed the number when the order was paid


@dataclass(frozen=True)
class TicketLine:
    ticket: str  # product code
    description: str  # both languages: "Egynapos hozzáférés / One-day access"
    period_from: date
    period_to: date
    unit_net: int  # minor units
    quantity: int = 1


@dataclass(frozen=True)
class InvoiceRequest:
    buyer: Buyer
    lines: tuple[TicketLine, ...]
    currency: str
    issue_date: date
    fulfilment_date: date
    payment_date: date | None
    payment_method: str
    order_ref: str | None = None
    account_id: int | None = None


def eu_vat_number(adoszam: str) -> str:
    """The közösségi adószám of a Hungarian adószám: HU and its first eight digits."""
    return "HU" + adoszam.replace("-", "")[:8]


def _check(request: InvoiceRequest, rate: DayRate | None) -> None:
    if request.currency not in CURRENCIES:
        raise InvoiceRefused(f"currency {request.currency!r} is not one of {CURRENCIES}")
    if request.payment_method not in PAYMENT_METHODS:
        raise InvoiceRefused(f"payment method {request.payment_method!r} is not known")
    if not request.lines:
        raise InvoiceRefused("an invoice needs at least one line")
    if request.currency != "HUF" and (rate is None or rate.currency != request.currency):
        raise InvoiceRefused(f"an invoice in {request.currency} needs MNB's rate for it")
    if rate is not None and rate.day != request.fulfilment_date:
        raise InvoiceRefused(
            f"the rate is of {rate.day}, the fulfilment date {request.fulfilment_date}"
        )
    for line in request.lines:
        if line.period_to < line.period_from or line.quantity < 1 or line.unit_net < 0:
            raise InvoiceRefused(f"line {line.ticket!r} has an impossible period or amount")


def issue_invoice(
    session: Session, seller: InvoiceSettings, request: InvoiceRequest, rate: DayRate | None
) -> Invoice:
    """Add the invoice of `request` with the next number of the seller's series."""
    _check(request, rate)
    treatment = vat_treatment(request.buyer.country, request.buyer.vies_valid)
    lines = []
    for position, line in enumerate(request.lines, start=1):
        net = line.unit_net * line.quantity
        vat = vat_amount(net, treatment.rate)
        lines.append(
            InvoiceLine(
                position=position,
                ticket=line.ticket,
                description=line.description,
                period_from=line.period_from,
                period_to=line.period_to,
                quantity=line.quantity,
                unit_net=line.unit_net,
                net=net,
                vat_rate=treatment.rate,
                vat=vat,
                gross=net + vat,
            )
        )
    invoice = Invoice(
        kind="invoice",
        order_ref=request.order_ref,
        account_id=request.account_id,
        issue_date=request.issue_date,
        fulfilment_date=request.fulfilment_date,
        payment_date=request.payment_date,
        payment_method=request.payment_method,
        seller_name=seller.seller_name,
        seller_address=seller.seller_address,
        seller_vat_number=seller.seller_vat_number,
        seller_eu_vat_number=eu_vat_number(seller.seller_vat_number),
        seller_bank_account=seller.seller_bank_account,
        seller_registration_number=seller.seller_registration_number,
        buyer_name=request.buyer.name,
        buyer_address=request.buyer.address,
        buyer_country=request.buyer.country.upper(),
        buyer_vat_number=request.buyer.vat_number,
        vat_case=treatment.case.value,
        currency=request.currency,
        lines=lines,
        **_totals(lines, request.currency, rate),
    )
    return _number_and_add(session, seller.series, invoice)


def _totals(lines: list[InvoiceLine], currency: str, rate: DayRate | None) -> dict[str, object]:
    net, vat = sum(li.net for li in lines), sum(li.vat for li in lines)
    if currency == "HUF" or rate is None:
        in_huf = dict(net_total_huf=to_huf(net, Decimal(1)), vat_total_huf=to_huf(vat, Decimal(1)))
        extra: dict[str, object] = dict(exchange_rate=None, rate_date=None)
    else:
        in_huf = dict(
            net_total_huf=to_huf(net, rate.rate, rate.unit),
            vat_total_huf=to_huf(vat, rate.rate, rate.unit),
        )
        extra = dict(exchange_rate=str(rate.rate), rate_date=rate.published_on)
    return dict(
        net_total=net,
        vat_total=vat,
        gross_total=net + vat,
        gross_total_huf=in_huf["net_total_huf"] + in_huf["vat_total_huf"],
        **in_huf,
        **extra,
    )


def issue_credit_note(
    session: Session, seller: InvoiceSettings, original_number: str, issue_date: date
) -> Invoice:
    """The credit note (sztornó) cancelling the invoice `original_number` in full: its own
    number, the original's lines and totals negated, at the original's exchange rate and
    fulfilment date (a correcting document follows the document it corrects)."""
    original = session.execute(
        select(Invoice).where(Invoice.number == original_number)
    ).scalar_one_or_none()
    if original is None or original.kind != "invoice":
        raise InvoiceRefused(f"{original_number} is not an issued invoice")
    already = session.execute(
        select(Invoice.number).where(Invoice.original_id == original.id)
    ).scalar_one_or_none()
    if already:
        raise InvoiceRefused(f"{original_number} is already cancelled by {already}")
    copied = (
        "order_ref account_id fulfilment_date payment_date payment_method seller_name "
        "seller_address seller_vat_number seller_eu_vat_number seller_bank_account "
        "seller_registration_number buyer_name buyer_address buyer_country buyer_vat_number "
        "vat_case currency exchange_rate rate_date languages"
    ).split()
    negated = "net_total vat_total gross_total net_total_huf vat_total_huf gross_total_huf"
    credit = Invoice(
        kind="credit_note",
        original=original,
        issue_date=issue_date,
        **{name: getattr(original, name) for name in copied},
        **{name: -getattr(original, name) for name in negated.split()},
        lines=[
            InvoiceLine(
                position=line.position,
                ticket=line.ticket,
                description=line.description,
                period_from=line.period_from,
                period_to=line.period_to,
                quantity=-line.quantity,
                unit_net=line.unit_net,
                net=-line.net,
                vat_rate=line.vat_rate,
                vat=-line.vat,
                gross=-line.gross,
            )
            for line in original.lines
        ],
    )
    return _number_and_add(session, seller.series, credit)


def _number_and_add(session: Session, series: str, invoice: Invoice) -> Invoice:
    # The year of the number is the issue year: one sequence per series and calendar year.
    year = invoice.issue_date.year
    sequence = allocate(session, series, year)
    invoice.series, invoice.year, invoice.sequence = series, year, sequence
    invoice.number = format_number(series, year, sequence)
    session.add(invoice)
    session.flush()
    return invoice
