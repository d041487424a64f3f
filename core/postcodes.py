"""Postcodes as each EU country writes them: „1234 AB” (NL), „123 45” (SE, CZ, SK, GR),
„12-345” (PL), „1234-567” (PT). What an applicant types is accepted with or without the
country's space or dash and a leading country letter („H-1051”, „NL-1012AB”), and stored
in the country's own form so that it reads as the VIES register writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    pattern: str  # over the compact text: no spaces, dashes or country prefix
    groups: tuple[int, ...]  # lengths of the written groups
    joiner: str  # what stands between them
    example: str


_D4 = Shape(r"\d{4}", (4,), "", "1234")
_D5 = Shape(r"\d{5}", (5,), "", "12345")
_D3_2 = Shape(r"\d{5}", (3, 2), " ", "123 45")
SHAPES: dict[str, Shape] = {
    "AT": _D4,
    "BE": _D4,
    "BG": _D4,
    "CY": _D4,
    "CZ": _D3_2,
    "DE": _D5,
    "DK": _D4,
    "EE": _D5,
    "ES": _D5,
    "FI": _D5,
    "FR": _D5,
    "GR": _D3_2,
    "HR": _D5,
    "HU": _D4,
    "IE": Shape(
        r"[AC-FHKNPRTV-Y]\d{2}|D6W[0-9AC-FHKNPRTV-Y]{4}|[AC-FHKNPRTV-Y]\d{2}[0-9AC-FHKNPRTV-Y]{4}",
        (3, 4),
        " ",
        "A65 F4E2",
    ),
    "IT": _D5,
    "LT": _D5,
    "LU": _D4,
    "LV": _D4,
    "MT": Shape(r"[A-Z]{3}\d{4}", (3, 4), " ", "VLT 1117"),
    "NL": Shape(r"[1-9]\d{3}[A-Z]{2}", (4, 2), " ", "1012 AB"),
    "PL": Shape(r"\d{5}", (2, 3), "-", "00-950"),
    "PT": Shape(r"\d{7}", (4, 3), "-", "1000-001"),
    "RO": Shape(r"\d{6}", (6,), "", "010011"),
    "SE": _D3_2,
    "SI": _D4,
    "SK": _D3_2,
    "XI": Shape(r"BT\d{1,2}\d[A-Z]{2}", (), " ", "BT1 1AA"),
}
# Country letters written in front of a postcode: „H-1051”, „D-10115”, „LV-1050”.
_PREFIXES = {
    "HU": ("H",),
    "DE": ("D",),
    "AT": ("A",),
    "LU": ("L",),
    "LV": ("LV",),
    "LT": ("LT",),
    "SI": ("SI",),
    "HR": ("HR",),
    "FI": ("FI",),
    "SE": ("S", "SE"),
    "BE": ("B",),
    "DK": ("DK",),
    "CY": ("CY",),
}


class InvalidPostcode(ValueError):
    def __init__(self, example: str) -> None:
        super().__init__(f"postcode not in the form {example}")
        self.example = example


def example(country: str) -> str:
    shape = SHAPES.get(country)
    return shape.example if shape else ""


def normalize_postcode(country: str, raw: str) -> str:
    """The postcode in `country`'s written form; raises InvalidPostcode with an example."""
    text = " ".join((raw or "").split()).upper()
    shape = SHAPES.get(country)
    if shape is None:
        return text
    compact = re.sub(r"[\s\-]", "", text)
    for prefix in sorted(_PREFIXES.get(country, ()) + (country,), key=len, reverse=True):
        if compact.startswith(prefix) and re.fullmatch(shape.pattern, compact[len(prefix) :]):
            compact = compact[len(prefix) :]
            break
    if not re.fullmatch(shape.pattern, compact):
        raise InvalidPostcode(shape.example)
    if country == "XI":  # outward code of any length, then the 3-character inward code
        return f"{compact[:-3]} {compact[-3:]}"
    if country == "IE" and len(compact) == 3:  # the routing key alone is fine
        return compact
    parts, at = [], 0
    for length in shape.groups:
        parts.append(compact[at : at + length])
        at += length
    return shape.joiner.join(parts)
