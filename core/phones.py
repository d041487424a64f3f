"""Phone numbers as people type them: national form („06 30 123 4567” in Hungary) read with
the chosen country's region, or international form; stored international („+36 30 123 4567”).
"""

from __future__ import annotations

import phonenumbers

# Northern Ireland (XI) dials as the United Kingdom.
_REGIONS = {"XI": "GB"}


class InvalidPhone(ValueError):
    """Not a number of that country; `national` and `international` show one that is (both
    empty when no country is known)."""

    def __init__(self, national: str = "", international: str = "") -> None:
        super().__init__("not a valid phone number")
        self.national, self.international = national, international


def _region(country: str | None) -> str | None:
    if not country:
        return None
    region = _REGIONS.get(country, country)
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def example(country: str | None) -> tuple[str, str]:
    """(national, international) form of a mobile number of the country."""
    region = _region(country)
    if region is None:
        return "", ""
    sample = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if sample is None:
        return "", ""
    return (
        phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    )


def normalize_phone(text: str, country: str | None) -> str:
    """The number in international form; raises InvalidPhone with an example."""
    text = (text or "").strip()
    region = _region(country)
    if region is None and not text.startswith("+"):
        raise InvalidPhone()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as err:
        raise InvalidPhone(*example(country)) from err
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(*example(country))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
