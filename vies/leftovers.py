"""What may be left over in a VIES address once the typed street, postcode and city are found.

The table is documented in vies/matching.py's docstring; keep the two in step. Patterns work
on the comparison form (casefolded, NFC). A leftover piece is handed to `allowed()` with a
boundary marker at each end: "\\n" at the start or end of the text, MARK or POSTCODE_MARK
where a matched field touches it, so that a pattern can ask for a whole line, or for the place
before the postcode.
"""

from __future__ import annotations

import re
from functools import cache

MARK = "\x01"  # where a typed street or city was cut out
POSTCODE_MARK = "\x02"  # where the typed postcode was cut out

# Names of the country (national languages and English) a VIES text may end with.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AT": ("österreich", "austria"),
    "BE": ("belgique", "belgië", "belgie", "belgien", "belgium"),
    "BG": ("българия", "bulgaria"),
    "CY": ("κύπρος", "κυπρος", "cyprus", "kıbrıs"),
    "CZ": ("česká republika", "česko", "czech republic", "czechia"),
    "DE": ("deutschland", "germany"),
    "DK": ("danmark", "denmark"),
    "EE": ("eesti", "estonia"),
    "ES": ("españa", "espana", "spain"),
    "FI": ("suomi", "finland"),
    "FR": ("france",),
    "GR": ("ελλάδα", "ελλαδα", "ελλάς", "ελλας", "greece", "hellas"),
    "HR": ("hrvatska", "republika hrvatska", "croatia"),
    "HU": ("magyarország", "hungary"),
    "IE": ("ireland", "éire", "eire"),
    "IT": ("italia", "italy"),
    "LT": ("lietuva", "lithuania"),
    "LU": ("luxembourg", "lëtzebuerg", "luxemburg"),
    "LV": ("latvija", "latvia"),
    "MT": ("malta",),
    "NL": ("nederland", "netherlands"),
    "PL": ("polska", "poland"),
    "PT": ("portugal",),
    "RO": ("românia", "romania"),
    "SE": ("sverige", "sweden"),
    "SI": ("slovenija", "slovenia"),
    "SK": ("slovensko", "slovenská republika", "slovakia"),
    "XI": ("northern ireland", "united kingdom", "uk", "great britain"),
}

# Letters before the postcode ("AT-9182", "LV-1012", "L-1466").
POSTCODE_PREFIXES: dict[str, str] = {
    "AT": "at",
    "BE": "b",
    "CY": "cy",
    "DE": "d",
    "DK": "dk",
    "FI": "fi",
    "HR": "hr",
    "LT": "lt",
    "LU": "l",
    "LV": "lv",
    "SE": "se",
    "SI": "si",
}

_W = r"[^\W\d_]+"  # one word of letters
_WORDS = rf"{_W}(?:[ '\-.]+{_W})*\.?"
_LINE_END = r"(?=[ ]?\n)"  # the rest of a line, up to its end (not up to a matched field)
# A whole line holding no typed field, with " - " inside: a district line.
_DISTRICT_LINE = r"(?<=\n)[^\n\x01\x02]+ - [^\n\x01\x02]+(?=\n)"
# A district after the city, to the end of its line: "Bratislava - mestská časť Petržalka".
_DISTRICT_AFTER = rf"(?<=\s)-\s+{_WORDS}{_LINE_END}"

# Per member state: what else may be left over (regular expressions, casefolded text).
EXTRA: dict[str, tuple[str, ...]] = {
    # ж.к./ул. belong to the street; гр. (town) and с. (village) precede the city.
    "BG": (r"гр\.?", r"с\.", rf"обл\.\s*{_W}", rf"общ\.\s*{_W}", r"п\.\s?к\.?"),
    # A district line ("PRAHA 3 - VINOHRADY") or a district after the city ("- Petržalka").
    "CZ": (_DISTRICT_LINE, _DISTRICT_AFTER),
    "SK": (_DISTRICT_LINE, _DISTRICT_AFTER),
    "EE": (rf"{_W} maakond", rf"{_W} (?:linnaosa|vald|linn)"),
    "ES": (rf"\({_WORDS}\)",),
    "FR": (r"cedex(?:\s*\d{1,2})?",),
    "GR": (r"τ\.\s?κ\.?",),
    "IE": (rf"co\.?\s+{_W}", rf"county\s+{_W}"),
    # The province after the city: "00184 ROMA RM" or "ROMA (RM)".
    "IT": (rf"\(?[^\W\d_]{{2}}\)?{_LINE_END}",),
    "LT": (rf"{_W} (?:r|m)\.\s?sav\.",),
    "LV": (rf"{_W} (?:nov|pag)\.",),
    "PL": (rf"woj\.\s*{_W}",),
    # A locality line between the street and "postcode city" ("BRAGA").
    "PT": (rf"(?<=\n){_WORDS}(?=\n\x02)",),
    "RO": (
        r"mun\.?",
        r"municipiul",
        r"(?:oraș|oraş|or\.)",
        r"(?:com\.|comuna)",
        r"sat",
        rf"(?:jud\.?|județul|judeţul)\s*{_W}(?:[ \-]{_W})?",
        r"sector(?:ul)?\s*\d",
        r"sect\.\s*\d",
    ),
    "XI": (rf"co\.?\s+{_W}", rf"county\s+{_W}"),
}

# Separators: white space, commas, semicolons, a free-standing dash, the cut marks.
_SEP = r"[\s,;\x01\x02]|(?<=[\s,;\x01\x02])-(?=[\s,;\x01\x02])"


def _bounded(pattern: str) -> str:
    return rf"(?<!\w)(?:{pattern})(?!\w)"


@cache
def allowed(country_code: str) -> re.Pattern[str]:
    """The pattern a whole leftover piece (with its boundary marks) must match."""
    parts = [_SEP]
    names = COUNTRY_NAMES.get(country_code, ())
    if names:
        parts.append(_bounded("|".join(re.escape(n) for n in names)))
    prefix = POSTCODE_PREFIXES.get(country_code)
    if prefix:
        parts.append(rf"(?<!\w){prefix}-(?=\x02|\d)")
    parts += [_bounded(p) for p in EXTRA.get(country_code, ())]
    return re.compile("(?:" + "|".join(parts) + ")*", re.UNICODE)
