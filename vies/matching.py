"""The letter-exact rule: do the typed company data match what VIES holds for the number?

Defined once here (PRODUCT.md, "Exact match, defined"): compare after Unicode NFC, trimming
and collapsing white space and line breaks; case-insensitive because VIES holds many names in
capitals; letters, accents and punctuation stay significant. VIES gives the address as one
text, so the typed street, postcode and city are composed in each layout a member state uses.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

NO_DATA = "---"

# How member states lay out the single VIES address text. Line breaks only matter for
# display: normalize() turns them into spaces, like all other white space.
_GENERIC_LAYOUTS: tuple[str, ...] = (
    "{street}\n{postcode} {city}",
    "{postcode} {city}, {street}",
    "{street}, {postcode} {city}",
    "{street} {postcode} {city}",
    "{postcode} {city} {street}",
)
_LAYOUTS: dict[str, tuple[str, ...]] = {
    "HU": (
        "{street}\n{postcode} {city}",
        "{postcode} {city}, {street}",
        "{postcode} {city} {street}",
    ),
}

# Italy appends the 2-letter province to the city ("00184 ROMA RM"); applicants type the city.
_PROVINCE_COUNTRIES = frozenset({"IT"})
_PROVINCE = re.compile(r"(.+?)\s+([^\W\d_]{2})", re.UNICODE)

# Postcode shapes, used only to split a VIES address back into its parts.
_POSTCODES: dict[str, str] = {
    "AT": r"\d{4}",
    "BE": r"\d{4}",
    "BG": r"\d{4}",
    "CY": r"\d{4}",
    "CZ": r"\d{3} ?\d{2}",
    "DE": r"\d{5}",
    "DK": r"\d{4}",
    "EE": r"\d{5}",
    "ES": r"\d{5}",
    "FI": r"\d{5}",
    "FR": r"\d{5}",
    "GR": r"\d{3} ?\d{2}",
    "HR": r"\d{5}",
    "HU": r"\d{4}",
    "IE": r"[A-Z]\d[\dW] ?[\dA-Z]{4}",
    "IT": r"\d{5}",
    "LT": r"(?:LT-)?\d{5}",
    "LU": r"(?:L-)?\d{4}",
    "LV": r"(?:LV-)?\d{4}",
    "MT": r"[A-Z]{3} ?\d{4}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "PL": r"\d{2}-\d{3}",
    "PT": r"\d{4}-\d{3}",
    "RO": r"\d{6}",
    "SE": r"\d{3} ?\d{2}",
    "SI": r"(?:SI-)?\d{4}",
    "SK": r"\d{3} ?\d{2}",
    "XI": r"BT\d{1,2} ?\d[A-Z]{2}",
}


@dataclass
class FieldMatch:
    """One compared field: VIES's text (`registered`) against the applicant's (`typed`)."""

    field: str
    registered: str
    typed: str
    matches: bool


@dataclass
class MatchOutcome:
    """`matches`: every field with data matches. `no_data`: VIES gave no name or address,
    so that field could not be checked (the registration goes on, flagged)."""

    matches: bool
    no_data: bool
    fields: list[FieldMatch]


def collapse(text: str) -> str:
    """NFC, trimmed, every white space run (line breaks too) as one space; case kept."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize(text: str) -> str:
    """The comparison form: collapse() and casefold. Accents and punctuation stay."""
    # casefold can decompose (e.g. "İ"), so NFC once more afterwards.
    return unicodedata.normalize("NFC", collapse(text).casefold())


def is_no_data(value: str | None) -> bool:
    """VIES's way of saying it holds nothing: missing, blank or "---"."""
    return value is None or value.strip() in ("", NO_DATA)


def _country(country_code: str) -> str:
    code = country_code.strip().upper()
    return "GR" if code == "EL" else code


def _layouts(country_code: str) -> tuple[str, ...]:
    return _LAYOUTS.get(country_code, _GENERIC_LAYOUTS)


def _vies_forms(country_code: str, vies_address: str) -> list[str]:
    """Normalized VIES address, plus the form without a trailing province where one is used."""
    full = normalize(vies_address)
    forms = [full]
    if country_code in _PROVINCE_COUNTRIES:
        m = _PROVINCE.fullmatch(full)
        if m:
            forms.append(m.group(1))
    return forms


def _compose(layout: str, street: str, postcode: str, city: str) -> str:
    return layout.format(street=street.strip(), postcode=postcode.strip(), city=city.strip())


def _match_address(
    country_code: str, street: str, postcode: str, city: str, vies_address: str
) -> tuple[bool, str]:
    """Whether the typed parts match, and the composition to show (matching or closest)."""
    forms = _vies_forms(country_code, vies_address)
    compositions = [_compose(lay, street, postcode, city) for lay in _layouts(country_code)]
    for composed in compositions:
        if normalize(composed) in forms:
            return True, collapse(composed)
    # No layout matches: show the closest so the field diff is as readable as possible.
    best = max(
        compositions,
        key=lambda c: difflib.SequenceMatcher(None, normalize(c), forms[0]).ratio(),
    )
    return False, collapse(best)


def compare(
    country_code: str,
    name: str,
    street: str,
    postcode: str,
    city: str,
    vies_name: str | None,
    vies_address: str | None,
) -> MatchOutcome:
    """Compare typed company data with VIES's name and address, field by field."""
    cc = _country(country_code)
    fields: list[FieldMatch] = []
    no_data = False

    if is_no_data(vies_name):
        no_data = True
        fields.append(FieldMatch("name", "", collapse(name), True))
    else:
        registered = vies_name or ""
        ok = normalize(name) == normalize(registered)
        fields.append(FieldMatch("name", collapse(registered), collapse(name), ok))

    if is_no_data(vies_address):
        no_data = True
        typed = collapse(_compose(_layouts(cc)[0], street, postcode, city))
        fields.append(FieldMatch("address", "", typed, True))
    else:
        registered = vies_address or ""
        ok, typed = _match_address(cc, street, postcode, city, registered)
        fields.append(FieldMatch("address", collapse(registered), typed, ok))

    return MatchOutcome(matches=all(f.matches for f in fields), no_data=no_data, fields=fields)


def _drop_province(country_code: str, city: str) -> str:
    if country_code in _PROVINCE_COUNTRIES:
        m = _PROVINCE.fullmatch(city)
        if m:
            return m.group(1)
    return city


def _split_candidates(country_code: str, text: str) -> list[tuple[str, str, str]]:
    pc = _POSTCODES[country_code]
    lines = [collapse(line) for line in text.splitlines() if line.strip()]
    found: list[tuple[str, str, str]] = []
    if len(lines) == 2:
        # street \n POSTCODE CITY
        m = re.fullmatch(rf"({pc})\s+(.+)", lines[1], re.IGNORECASE)
        if m:
            found.append((lines[0], m.group(1), m.group(2)))
    elif len(lines) == 1:
        # POSTCODE CITY, STREET
        m = re.fullmatch(rf"({pc})\s+([^,]+?),\s*(.+)", lines[0], re.IGNORECASE)
        if m:
            found.append((m.group(3), m.group(1), m.group(2)))
        # STREET, POSTCODE CITY (the last comma separates)
        m = re.fullmatch(rf"(.+),\s*({pc})\s+([^,]+)", lines[0], re.IGNORECASE)
        if m:
            found.append((m.group(1), m.group(2), m.group(3)))
    return [(s, p, _drop_province(country_code, c)) for s, p, c in found]


def split_address(country_code: str, vies_address: str) -> tuple[str, str, str] | None:
    """Split VIES's address text into (street, postcode, city) in VIES's spelling, to offer
    "adopt the registered data". None when the text cannot be split confidently."""
    cc = _country(country_code)
    if is_no_data(vies_address) or cc not in _POSTCODES:
        return None
    text = unicodedata.normalize("NFC", vies_address)
    for street, postcode, city in _split_candidates(cc, text):
        # Confident only if the parts, typed back in, match under the rule itself.
        if street and _match_address(cc, street, postcode, city, text)[0]:
            return street, postcode, city
    return None
