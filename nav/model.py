"""The plain data an invoice or credit note is reported with (filled in by the invoicing side).

Amounts are Decimals in the invoice's currency; the builder converts them to HUF with
`exchange_rate` (1 for HUF invoices), as invoiceData.xsd wants both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DOMESTIC, OTHER, PRIVATE_PERSON = "DOMESTIC", "OTHER", "PRIVATE_PERSON"
_TAX_NUMBER = re.compile(r"^(\d{8})(?:-?(\d)-?(\d{2}))?$")


@dataclass(frozen=True)
class TaxNumber:
    """A Hungarian tax number: 8-digit taxpayer id, VAT code, county code (12345678-2-41)."""

    taxpayer_id: str
    vat_code: str | None = None
    county_code: str | None = None

    @classmethod
    def parse(cls, text: str) -> TaxNumber:
        match = _TAX_NUMBER.match(text.strip().removeprefix("HU"))
        if not match:
            raise ValueError(f"Not a Hungarian tax number: {text!r} (12345678-2-41)")
        return cls(*match.groups())


@dataclass(frozen=True)
class Address:
    country_code: str
    postal_code: str
    city: str
    street: str  # street, number and the rest: NAV's additionalAddressDetail


@dataclass(frozen=True)
class Seller:
    tax_number: TaxNumber
    name: str
    address: Address
    community_vat_number: str | None = None  # HU12345678
    bank_account: str | None = None


@dataclass(frozen=True)
class Buyer:
    """`vat_status`: DOMESTIC (a Hungarian taxable person: `tax_number`), OTHER (a foreign
    taxable person: `community_vat_number` in the EU, else `third_state_tax_id`) or
    PRIVATE_PERSON (no data of the person is reported)."""

    vat_status: str
    name: str | None = None
    address: Address | None = None
    tax_number: TaxNumber | None = None
    community_vat_number: str | None = None
    third_state_tax_id: str | None = None


@dataclass(frozen=True)
class VatRate:
    """One of invoiceData.xsd's VatRateType choices: a percentage (0.27), an exemption or
    out of scope with NAV's case code and the legal reason."""

    percentage: Decimal | None = None
    exemption: tuple[str, str] | None = None  # (case, reason), e.g. ("AAM", "Áfa tv. 187. §")
    out_of_scope: tuple[str, str] | None = None

    @classmethod
    def percent(cls, value: int | str | Decimal) -> VatRate:
        return cls(percentage=(Decimal(value) / 100).normalize())

    @classmethod
    def eu_reverse_charge(cls) -> VatRate:
        """A service to a taxable person in another member state (VAT Directive Art. 44,
        196; Áfa tv. 37. § (1)): supplied there, the customer pays the VAT. NAV's case
        EUFAD37: out of scope of Hungarian VAT, reverse charge in the other member state."""
        return cls(out_of_scope=("EUFAD37", "Áfa tv. 37. § (1) Fordított adózás / Reverse charge"))

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.percentage, self.exemption, self.out_of_scope)) != 1:
            raise ValueError("A VAT rate is exactly one of percentage, exemption, out of scope.")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    vat_rate: VatRate
    unit_of_measure: str = "PIECE"
    nature: str = "SERVICE"  # lineNatureIndicator: SERVICE, PRODUCT, OTHER
    # A credit note's line: the line number it adds on the original invoice's chain
    # (NAV: lineModificationReference, lineOperation CREATE).
    reference_line: int | None = None


@dataclass(frozen=True)
class InvoiceReference:
    """What a credit note (MODIFY/STORNO) refers to: the original invoice and the place of
    this document in its chain of modifications (1 for the first)."""

    original_invoice_number: str
    modification_index: int
    modify_without_master: bool = False


@dataclass(frozen=True)
class Invoice:
    number: str
    issue_date: date
    delivery_date: date  # the fulfilment date
    seller: Seller
    buyer: Buyer
    lines: tuple[Line, ...]
    currency: str = "HUF"
    exchange_rate: Decimal = Decimal(1)  # HUF per unit of `currency` (MNB)
    payment_method: str | None = "CARD"  # TRANSFER, CASH, CARD, VOUCHER, OTHER
    payment_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    reference: InvoiceReference | None = None
    appearance: str = "ELECTRONIC"  # PAPER, ELECTRONIC, EDI
