"""Invoices and credit notes (issue 27): issued once, never changed.

Money is in minor units (cents of the invoice's currency); the HUF figures an EUR invoice
must also show (Áfa tv. 80 §) are whole forints at the MNB rate of `rate_date`. Rates are kept
as their decimal text ("390.12"): exact, and the same on SQLite and PostgreSQL.

The database itself refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) of `invoices` and
`invoice_lines` (triggers of migration 0022): a refund is a credit note, a new invoice row
that references the original.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base
from core.models.records import utcnow

KINDS = ("invoice", "credit_note")


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # AOS-2026-000001
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # KINDS
    # A credit note's invoice; one full credit note per invoice (unique).
    original_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), unique=True)
    # Plain references to the order and the account: no foreign key, because an invoice
    # outlives both (kept 8 years, Számviteli tv. 169 §) while personal data is erased.
    # One invoice and one credit note per order (uq_invoice_order): a retried issue finds it.
    order_ref: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    fulfilment_date: Mapped[date] = mapped_column(Date)
    payment_date: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(20))  # "card", "transfer"
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(String(300))
    seller_vat_number: Mapped[str] = mapped_column(String(20))  # adószám 12345678-2-42
    seller_eu_vat_number: Mapped[str] = mapped_column(String(20))  # HU12345678
    seller_bank_account: Mapped[str] = mapped_column(String(60))
    seller_registration_number: Mapped[str] = mapped_column(String(40))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_address: Mapped[str] = mapped_column(String(300))
    buyer_country: Mapped[str] = mapped_column(String(2))
    buyer_vat_number: Mapped[str | None] = mapped_column(String(20))
    vat_case: Mapped[str] = mapped_column(String(20))  # invoicing.vat.VatCase
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[int] = mapped_column(Integer)
    vat_total: Mapped[int] = mapped_column(Integer)
    gross_total: Mapped[int] = mapped_column(Integer)
    exchange_rate: Mapped[str | None] = mapped_column(String(20))  # HUF per unit, "390.12"
    rate_date: Mapped[date | None] = mapped_column(Date)  # the MNB publication it is from
    net_total_huf: Mapped[int] = mapped_column(Integer)
    vat_total_huf: Mapped[int] = mapped_column(Integer)
    gross_total_huf: Mapped[int] = mapped_column(Integer)
    languages: Mapped[str] = mapped_column(String(10), default="hu+en")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", lazy="selectin"
    )
    original: Mapped[Invoice | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    __table_args__ = (
        UniqueConstraint("series", "year", "sequence", name="uq_invoice_sequence"),
        UniqueConstraint("order_ref", "kind", name="uq_invoice_order"),
        Index("ix_invoices_issue_date", "issue_date"),
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    ticket: Mapped[str] = mapped_column(String(20))  # the product code of the access ticket
    description: Mapped[str] = mapped_column(Text)  # "Egynapos hozzáférés / One-day access"
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_net: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    vat_rate: Mapped[int] = mapped_column(Integer)  # percent: 27 or 0
    vat: Mapped[int] = mapped_column(Integer)
    gross: Mapped[int] = mapped_column(Integer)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (UniqueConstraint("invoice_id", "position", name="uq_invoice_line"),)


class InvoiceCounter(Base):
    """The last number issued in a series and year: the row the issuing transaction locks."""

    __tablename__ = "invoice_counters"

    series: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class ExchangeRate(Base):
    """MNB's rate in force on a day: published that day, or (weekends, holidays) the last one
    published before it, whose date is `published_on`."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[str] = mapped_column(String(20))  # HUF per `unit` units, "390.12"
    unit: Mapped[int] = mapped_column(Integer, default=1)
    published_on: Mapped[date] = mapped_column(Date)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
