"""EU VAT numbers: the countries the portal accepts and local format/checksum validation.

The local check runs before any VIES call so that typos are caught at once, without waiting
for a service that is often down. python-stdnum holds the per-country rules.
"""

from __future__ import annotations

import re
from types import ModuleType

from stdnum import get_cc_module
from stdnum.exceptions import InvalidChecksum, ValidationError

# The 27 member states by ISO 3166 code (GR, not VIES's EL: forms use ISO codes) plus XI,
# Northern Ireland, which VIES covers for goods under the Windsor Framework.
EU_COUNTRY_CODES: tuple[str, ...] = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "XI",
)

# Prefixes an applicant may type in front of the number, per form country code.
# Greece is EL in VAT numbers; Northern Irish traders hold UK numbers, often written GB....
_OWN_PREFIXES: dict[str, tuple[str, ...]] = {"GR": ("EL", "GR"), "XI": ("XI", "GB")}

# Every prefix that names some VAT area; used to spot a number typed for the wrong country.
_ALL_PREFIXES = frozenset(EU_COUNTRY_CODES) | {"EL", "GB"}

# Separators people type inside VAT numbers; all white space counts (NBSP from copy-paste).
_SEPARATORS = re.compile(r"[\s.\-]+")

# stdnum module names differ from ISO codes only for these.
_STDNUM_CC = {"XI": "gb"}


# What a number of each country looks like without its prefix, for the message that says
# what to type (shapes, not real numbers).
VAT_SHAPES: dict[str, str] = {
    "AT": "U12345678", "BE": "0123456789", "BG": "123456789", "CY": "12345678L",
    "CZ": "12345678", "DE": "123456789", "DK": "12345678", "EE": "123456789",
    "ES": "X1234567X", "FI": "12345678", "FR": "XX123456789", "GR": "123456789",
    "HR": "12345678901", "HU": "12345678", "IE": "1234567X", "IT": "12345678901",
    "LT": "123456789", "LU": "12345678", "LV": "12345678901", "MT": "12345678",
    "NL": "123456789B01", "PL": "1234567890", "PT": "123456789", "RO": "1234567890",
    "SE": "123456789001", "SI": "12345678", "SK": "1234567890", "XI": "123456789",
}  # fmt: skip


class InvalidVatNumber(ValueError):
    """The number cannot be a VAT number of that country.

    `reason` is "format" (wrong length or characters), "checksum" (well formed but the check
    digit is wrong) or "country" (unknown country, or a prefix of another country).
    """

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"invalid VAT number ({reason})")
        self.reason = reason


def vies_country_code(country_code: str) -> str:
    """The code VIES expects for a form country code: Greece is EL there, all others as is."""
    code = country_code.strip().upper()
    return "EL" if code == "GR" else code


def _form_country_code(country_code: str) -> str:
    code = country_code.strip().upper()
    # Accept VIES's EL as an alias so callers holding either spelling work.
    return "GR" if code == "EL" else code


def _stdnum_module(country_code: str) -> ModuleType:
    cc = _STDNUM_CC.get(country_code, country_code.lower())
    return get_cc_module(cc, "vat")


def normalize_vat(country_code: str, raw: str) -> str:
    """Validate `raw` as a VAT number of `country_code`; return it without country prefix.

    Strips white space, dots, dashes and a leading prefix of the same country ("HU", "EL" or
    "GR" for Greece, "XI" or "GB" for Northern Ireland); for Hungary it also takes the
    11-digit adószám (12345676-2-41) and keeps its first 8 digits. Raises InvalidVatNumber.
    """
    cc = _form_country_code(country_code)
    if cc not in EU_COUNTRY_CODES:
        raise InvalidVatNumber("country", f"{country_code!r} is not an EU VAT country")

    number = _SEPARATORS.sub("", raw or "").upper()
    module = _stdnum_module(cc)
    own = _OWN_PREFIXES.get(cc, (cc,))
    prefix = number[:2]
    if prefix in own:
        number = number[2:]
    elif prefix in _ALL_PREFIXES and not module.is_valid(number):
        # Another country's prefix; some national numbers start with letters (FR keys), so it
        # is only "wrong country" when the whole text is not a valid local number either.
        raise InvalidVatNumber("country", f"{prefix} number given for {cc}")

    if not number:
        raise InvalidVatNumber("format", "empty VAT number")
    if cc == "HU":
        number = _hungarian_tax_number(number)
    try:
        compact = module.validate(number)
    except InvalidChecksum as exc:
        raise InvalidVatNumber("checksum", f"{cc} VAT number checksum is wrong") from exc
    except (ValidationError, ValueError) as exc:
        raise InvalidVatNumber("format", f"not a {cc} VAT number: {exc}") from exc
    return str(compact)


# The 11-digit Hungarian adószám, 12345676-2-41: the törzsszám (8 digits, the last its
# check digit) is the közösségi adószám after HU; then the áfa code (1-5) and the county
# code (02-20, 22, 41-44, 51).
_ADOSZAM = re.compile(r"(\d{8})([1-5])(0[2-9]|1\d|20|22|4[1-4]|51)")


def _hungarian_tax_number(number: str) -> str:
    """The közösségi adószám inside a typed adószám; other text unchanged (a short or long
    number then fails the VAT rule as usual). The check digit is verified by the VAT rule."""
    if len(number) == 11 and number.isdigit():
        match = _ADOSZAM.fullmatch(number)
        if match is None:
            raise InvalidVatNumber("format", "not a Hungarian adószám (VAT code or county)")
        return match.group(1)
    return number


def requester_vat_problem(value: str | None) -> str | None:
    """Why VIES_REQUESTER_VAT (the portal's own number, with its prefix, e.g. HU12345676)
    cannot be used, or None. A malformed one makes every check fail with
    INVALID_REQUESTER_INFO, so it is refused at start instead."""
    if not value:
        return None
    compact = _SEPARATORS.sub("", value).upper()
    prefix = compact[:2]
    country = _form_country_code(prefix) if prefix.isalpha() else ""
    if country not in EU_COUNTRY_CODES:
        return (
            f"VIES_REQUESTER_VAT {value!r} must start with an EU country prefix (e.g. HU12345676)."
        )
    try:
        normalize_vat(country, compact)
    except InvalidVatNumber as err:
        return f"VIES_REQUESTER_VAT {value!r} is not a valid {prefix} VAT number ({err.reason})."
    return None
