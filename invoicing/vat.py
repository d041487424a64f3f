"""Which VAT an access ticket carries: pure functions of the buyer, one per case.

The portal sells electronically supplied services (access to a web portal) from Hungary to
workshops, that is to businesses (B2B). The place of supply of a B2B service is where the
buyer is established (Áfa tv. 37. § (1), VAT Directive Art. 44), so:

- **HU buyer** (`domestic`): supplied in Hungary, 27 % áfa (Áfa tv. 82. § (1)); no reverse
  charge between Hungarian businesses for these services.
- **Buyer in another member state with a VIES-valid VAT number** (`reverse_charge`):
  supplied in the buyer's state, the buyer pays the VAT there (Directive Art. 196). The
  invoice shows 0 %, "Fordított adózás / Reverse charge" (Áfa tv. 169. § n), Directive
  Art. 226 (11a)) and both VAT numbers. NAV code `EUFAD37` (Áfa tv. 37. § (1)).
- **Northern Ireland (XI)** (`outside_eu`): the Windsor Framework keeps Northern Ireland in
  the EU's VAT rules for *goods* only; for services it is part of the United Kingdom, a third
  country. Áfa tv. 37. § (1) puts the supply in the UK: outside the scope of Hungarian VAT, no
  áfa on the invoice and no EU reverse-charge wording (the buyer accounts for UK VAT under the
  UK's own reverse charge). NAV code `HO` (supply outside the EU). The XI number is kept as
  the buyer's identifier; VIES answers for XI numbers concern goods, so its validity does not
  change the case. Any other third country is treated the same way.
- **Buyer in another member state without a valid VAT number** (`eu_unverified`): this
  happens when VIES no longer confirms a number that was valid at registration (deregistered,
  or the check fails on the day). Without proof of the buyer's taxable status the supply may
  not be zero-rated, so it is treated as a supply to a non-taxable person: Áfa tv. 46. §
  (3)-(4) (Directive Art. 58 (2)) keeps the place of supply in Hungary while the seller's
  cross-border B2C electronic services stay under EUR 10 000 a year, which a portal for
  registered workshops does not approach: 27 % áfa, like a domestic sale. Once VIES confirms
  the number again, new invoices are reverse-charged; issued ones are not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from vies.vatnumber import EU_COUNTRY_CODES

HUNGARIAN_RATE = 27  # Áfa tv. 82. § (1)
# The member states for services: XI is in the VIES list for goods only.
EU_SERVICE_STATES = frozenset(EU_COUNTRY_CODES) - {"XI"}


class VatCase(StrEnum):
    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    OUTSIDE_EU = "outside_eu"
    EU_UNVERIFIED = "eu_unverified"


@dataclass(frozen=True)
class VatTreatment:
    case: VatCase
    rate: int  # percent
    nav_code: str | None  # NAV Online Számla vatOutOfScope case; None when áfa is charged
    note_hu: str  # the invoice's wording of the case ("" when there is nothing to say)
    note_en: str
    legal_basis: str  # printed under the note
    both_vat_numbers: bool  # the seller's HU... and the buyer's EU VAT number are printed


DOMESTIC = VatTreatment(VatCase.DOMESTIC, HUNGARIAN_RATE, None, "", "", "", False)
REVERSE_CHARGE = VatTreatment(
    VatCase.REVERSE_CHARGE,
    0,
    "EUFAD37",
    "Fordított adózás",
    "Reverse charge",
    "Áfa tv. 37. § (1), 169. § n) · Article 44, 196 of Directive 2006/112/EC",
    True,
)
OUTSIDE_EU = VatTreatment(
    VatCase.OUTSIDE_EU,
    0,
    "HO",
    "A teljesítés helye nem Magyarország (Áfa tv. 37. § (1)): harmadik országban teljesített, "
    "az áfa hatályán kívüli ügylet",
    "Place of supply outside Hungary (Hungarian VAT Act § 37 (1)): supply to a third country, "
    "outside the scope of Hungarian VAT",
    "Áfa tv. 37. § (1) · Article 44 of Directive 2006/112/EC",
    False,
)
EU_UNVERIFIED = VatTreatment(VatCase.EU_UNVERIFIED, HUNGARIAN_RATE, None, "", "", "", False)

TREATMENTS = {t.case: t for t in (DOMESTIC, REVERSE_CHARGE, OUTSIDE_EU, EU_UNVERIFIED)}


def vat_treatment(buyer_country: str, vies_valid: bool) -> VatTreatment:
    """The VAT case of a B2B electronic service sold from Hungary to a buyer in
    `buyer_country` (ISO code, "XI" for Northern Ireland, "EL" or "GR" for Greece) whose VAT
    number VIES confirmed (`vies_valid`) on the day of the invoice."""
    country = "GR" if buyer_country.upper() == "EL" else buyer_country.upper()
    if country == "HU":
        return DOMESTIC
    if country in EU_SERVICE_STATES:
        return REVERSE_CHARGE if vies_valid else EU_UNVERIFIED
    return OUTSIDE_EU


def vat_amount(net: int, rate: int) -> int:
    """The VAT on `net` minor units at `rate` percent, rounded half up to a minor unit
    (negative amounts of a credit note round symmetrically)."""
    exact = Decimal(net) * rate / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_huf(amount: int, rate: Decimal, unit: int = 1) -> int:
    """Minor units of a foreign currency → whole forints at MNB's `rate` HUF per `unit`."""
    exact = Decimal(amount) / 100 * rate / unit
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
