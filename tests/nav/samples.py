"""Invoices as the invoicing side would hand them over: an HU buyer, a DE buyer in EUR, a
credit note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from nav.model import (
    DOMESTIC,
    OTHER,
    Address,
    Buyer,
    Invoice,
    InvoiceReference,
    Line,
    Seller,
    TaxNumber,
    VatRate,
)

SELLER = Seller(
    tax_number=TaxNumber.parse("12345676-2-41"),
    name="BMW Hungary Kft.",
    address=Address("HU", "1117", "Budapest", "Október huszonharmadika utca 8-10."),
    community_vat_number="HU12345676",
    bank_account="12345678-12345678-12345678",
)
HU_BUYER = Buyer(
    vat_status=DOMESTIC,
    name="Szervíz Őrség Kft.",
    address=Address("HU", "9700", "Szombathely", "Fő tér 1."),
    tax_number=TaxNumber.parse("11111111-2-18"),
)
DE_BUYER = Buyer(
    vat_status=OTHER,
    name="Werkstatt Müller GmbH",
    address=Address("DE", "80331", "München", "Marienplatz 1"),
    community_vat_number="DE123456789",
)


def hu_invoice(number: str = "AOS-2026-000001") -> Invoice:
    line = Line(
        description="AOS hozzáférés 1 nap / AOS access 1 day (2026-12-04 – 2026-12-05)",
        quantity=Decimal(1),
        unit_price=Decimal("10000"),
        net=Decimal("10000"),
        vat=Decimal("2700"),
        gross=Decimal("12700"),
        vat_rate=VatRate.percent(27),
    )
    return Invoice(
        number=number,
        issue_date=date(2026, 12, 4),
        delivery_date=date(2026, 12, 4),
        seller=SELLER,
        buyer=HU_BUYER,
        lines=(line,),
        payment_date=date(2026, 12, 4),
        period_start=date(2026, 12, 4),
        period_end=date(2026, 12, 5),
    )


def de_invoice(number: str = "AOS-2026-000002") -> Invoice:
    line = Line(
        description="AOS access 1 day",
        quantity=Decimal(1),
        unit_price=Decimal("25.00"),
        net=Decimal("25.00"),
        vat=Decimal("0.00"),
        gross=Decimal("25.00"),
        vat_rate=VatRate.eu_reverse_charge(),
    )
    return Invoice(
        number=number,
        issue_date=date(2026, 12, 4),
        delivery_date=date(2026, 12, 4),
        seller=SELLER,
        buyer=DE_BUYER,
        lines=(line,),
        currency="EUR",
        exchange_rate=Decimal("388.15"),
        payment_date=date(2026, 12, 4),
    )


def credit_note(original: Invoice, number: str = "AOS-2026-000003") -> Invoice:
    """The full reversal of `original`: its lines negated, added after its own lines."""
    lines = tuple(
        Line(
            description=line.description,
            quantity=-line.quantity,
            unit_price=line.unit_price,
            net=-line.net,
            vat=-line.vat,
            gross=-line.gross,
            vat_rate=line.vat_rate,
            reference_line=len(original.lines) + i,
        )
        for i, line in enumerate(original.lines, start=1)
    )
    return Invoice(
        number=number,
        issue_date=date(2026, 12, 4),
        delivery_date=original.delivery_date,
        seller=original.seller,
        buyer=original.buyer,
        lines=lines,
        currency=original.currency,
        exchange_rate=original.exchange_rate,
        payment_date=date(2026, 12, 4),
        reference=InvoiceReference(original.number, modification_index=1),
    )
