import pytest

from vies.vatnumber import EU_COUNTRY_CODES, InvalidVatNumber, normalize_vat, vies_country_code


def test_country_codes_are_the_27_member_states_plus_northern_ireland() -> None:
    assert len(EU_COUNTRY_CODES) == 28
    assert len(set(EU_COUNTRY_CODES)) == 28
    assert "GR" in EU_COUNTRY_CODES and "XI" in EU_COUNTRY_CODES
    assert "EL" not in EU_COUNTRY_CODES and "GB" not in EU_COUNTRY_CODES


@pytest.mark.parametrize(
    ("country", "expected"),
    [("GR", "EL"), ("gr", "EL"), ("HU", "HU"), ("XI", "XI"), ("DE", "DE")],
)
def test_vies_country_code(country: str, expected: str) -> None:
    assert vies_country_code(country) == expected


@pytest.mark.parametrize(
    ("country", "raw", "expected"),
    [
        ("HU", "12345676", "12345676"),
        ("HU", "HU12345676", "12345676"),
        ("HU", "hu 1234-5676", "12345676"),
        ("hu", " 1234.5676 ", "12345676"),
        ("HU", "HU\u00a01234 5676", "12345676"),  # NBSP from copy-paste
        ("HU", "52601815", "52601815"),
        ("GR", "EL049544099", "049544099"),
        ("GR", "GR 049.544.099", "049544099"),
        ("GR", "49544099", "049544099"),  # 8-digit form, stdnum pads it
        ("EL", "049544099", "049544099"),  # VIES spelling accepted as country too
        ("DE", "DE 535 883 162", "535883162"),
        ("AT", "ATU98523534", "U98523534"),
        ("IT", "IT03532650201", "03532650201"),
        ("SK", "SK2090031449", "2090031449"),
        ("FR", "FR40303265045", "40303265045"),
        ("XI", "XI980780684", "980780684"),
        ("XI", "GB980780684", "980780684"),
    ],
)
def test_normalize_vat_valid(country: str, raw: str, expected: str) -> None:
    assert normalize_vat(country, raw) == expected


@pytest.mark.parametrize(
    ("country", "raw", "reason"),
    [
        ("HU", "12345670", "checksum"),
        ("HU", "HU12345677", "checksum"),
        ("GR", "EL049544098", "checksum"),
        ("IT", "03532650202", "checksum"),
        ("HU", "1234567", "format"),
        ("HU", "123456789", "format"),
        ("HU", "1234567A", "format"),
        ("HU", "", "format"),
        ("HU", "HU", "format"),
        ("DE", "---", "format"),
        ("HU", "DE12345676", "country"),
        ("GR", "HU049544099", "country"),
        ("US", "12345676", "country"),
        ("GB", "980780684", "country"),
        ("", "12345676", "country"),
    ],
)
def test_normalize_vat_invalid(country: str, raw: str, reason: str) -> None:
    with pytest.raises(InvalidVatNumber) as caught:
        normalize_vat(country, raw)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_the_hungarian_adoszam_gives_its_kozossegi_adoszam() -> None:
    """12345676-2-41: the törzsszám (its check digit verified), the áfa code, the county."""
    from vies.vatnumber import InvalidVatNumber, normalize_vat

    for typed in ("12345676-2-41", "12345676241", "1234 5676 2 41", "HU12345676"):
        assert normalize_vat("HU", typed) == "12345676"
    for typed, reason in (("12345677-2-41", "checksum"), ("12345676-7-41", "format"),
                          ("12345676-2-99", "format")):  # fmt: skip
        try:
            normalize_vat("HU", typed)
        except InvalidVatNumber as err:
            assert err.reason == reason, typed
        else:
            raise AssertionError(f"{typed} accepted")
