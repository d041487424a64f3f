"""Every VAT case of an access ticket, as pure functions (invoicing/vat.py says the law)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.vat import VatCase, to_huf, vat_amount, vat_treatment


def test_a_hungarian_buyer_pays_27_percent_afa() -> None:
    treatment = vat_treatment("HU", vies_valid=True)
    assert (treatment.case, treatment.rate, treatment.nav_code) == (VatCase.DOMESTIC, 27, None)
    assert treatment.note_hu == "" and not treatment.both_vat_numbers
    assert vat_treatment("hu", vies_valid=False).rate == 27


@pytest.mark.parametrize("country", ["DE", "AT", "FR", "GR", "EL", "IE"])
def test_an_eu_buyer_with_a_valid_number_is_reverse_charged(country: str) -> None:
    treatment = vat_treatment(country, vies_valid=True)
    assert (treatment.case, treatment.rate, treatment.nav_code) == (
        VatCase.REVERSE_CHARGE,
        0,
        "EUFAD37",
    )
    assert f"{treatment.note_hu} / {treatment.note_en}" == "Fordított adózás / Reverse charge"
    assert treatment.both_vat_numbers


def test_northern_ireland_is_a_third_country_for_services() -> None:
    for valid in (True, False):
        treatment = vat_treatment("XI", vies_valid=valid)
        assert (treatment.case, treatment.rate, treatment.nav_code) == (
            VatCase.OUTSIDE_EU,
            0,
            "HO",
        )
        assert "37. § (1)" in treatment.note_hu and "outside the scope" in treatment.note_en
        assert "Reverse charge" not in treatment.note_en
    assert vat_treatment("CH", vies_valid=False).case == VatCase.OUTSIDE_EU


def test_an_eu_buyer_without_a_valid_number_pays_hungarian_afa() -> None:
    treatment = vat_treatment("DE", vies_valid=False)
    assert (treatment.case, treatment.rate, treatment.nav_code) == (
        VatCase.EU_UNVERIFIED,
        27,
        None,
    )
    assert "Reverse charge" not in treatment.note_en


def test_vat_rounds_half_up_and_symmetrically_for_credit_notes() -> None:
    assert vat_amount(2500, 27) == 675
    assert vat_amount(1850, 27) == 500  # 499.5 → 500
    assert vat_amount(-1850, 27) == -500
    assert vat_amount(2500, 0) == 0


def test_amounts_convert_to_whole_forints_at_the_mnb_rate() -> None:
    assert to_huf(675, Decimal("390.12")) == 2633  # 6.75 EUR × 390.12 = 2633.31
    assert to_huf(-675, Decimal("390.12")) == -2633
    assert to_huf(10000, Decimal("265.43"), unit=100) == 265  # JPY: per 100 units
