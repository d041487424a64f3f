"""Country names in the UI language, from Babel's CLDR data."""

from __future__ import annotations

import unicodedata

from babel import Locale

from vies.vatnumber import EU_COUNTRY_CODES


def country_name(code: str, language: str) -> str:
    if code == "XI":
        return "Észak-Írország" if language == "hu" else "Northern Ireland"
    return Locale.parse(language).territories.get(code, code)


def _sort_key(name: str) -> str:
    # Accented initials (Ausztria, Észtország) belong with their base letter.
    decomposed = unicodedata.normalize("NFD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def country_choices(language: str) -> list[tuple[str, str]]:
    choices = [(code, country_name(code, language)) for code in EU_COUNTRY_CODES]
    return sorted(choices, key=lambda pair: _sort_key(pair[1]))
