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
    "GR" for Greece, "XI" or "GB" for Northern Ireland). Raises InvalidVatNumber.
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
    try:
        compact = module.validate(number)
    except InvalidChecksum as exc:
        raise InvalidVatNumber("checksum", f"{cc} VAT number checksum is wrong") from exc
    except (ValidationError, ValueError) as exc:
        raise InvalidVatNumber("format", f"not a {cc} VAT number: {exc}") from exc
    return str(compact)


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
