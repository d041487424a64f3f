"""The letter-exact rule: do the typed company data match what VIES holds for the number?

One rule for every member state (PRODUCT.md, "Exact match, defined" and "across member
states"). Texts are compared in their normal form: Unicode NFC, trimmed, white space runs
collapsed, casefolded (VIES holds many names in capitals); letters, accents and punctuation
stay significant.

- Company name: the whole typed text equals VIES's name.
- Address: VIES gives one text. Each typed field (street, postcode, city) must appear in it as
  a whole segment: not inside another word (no letter or digit touches either end), a space in
  the typed field also standing for a line break. The fields may come in any order and may not
  overlap. What is left over once they are cut out may only be separators (white space, commas,
  semicolons, a free-standing dash) and what the applicant cannot type into those fields:
  the member state's leftovers below. Anything else left over (a house number not typed, a
  letter more) is a mismatch, named on the field it touches.
- Postcode: if VIES's text holds nothing shaped like a postcode of that member state (RO and
  IE never do), the postcode is not compared; it is still asked for contact and billing.
- Adopted address: an applicant who adopted VIES's address verbatim (it could not be split into
  fields) matches when it is still VIES's address.
- No data: VIES's "---" (e.g. DE, ES): that field cannot be checked; the registration goes on
  flagged for the administrator.

What may be left over besides separators (vies/leftovers.py; every state also its own name in
its languages and English, e.g. "Slovensko", "Österreich"):

| state | may be left over |
| --- | --- |
| AT | `AT-` before the postcode |
| BE, DE, DK, FI, SE | `B-`, `D-`, `DK-`, `FI-`, `SE-` before the postcode |
| BG | `гр.`/`с.` before the city, `обл. X`, `общ. X`, `п.к.` |
| CY, HR, LT, LU, LV, SI | `CY-`, `HR-`, `LT-`, `L-`, `LV-`, `SI-` before the postcode |
| CZ, SK | a district line (`PRAHA 3 - VINOHRADY`), a district after the city (`- mestská časť …`) |
| EE | `X maakond` (county), `X linnaosa`/`vald`/`linn` |
| ES | a province in brackets `(MADRID)` |
| FR | `CEDEX` and its number |
| GR | `Τ.Κ.`; the dash between postcode and city is a separator anyway |
| IE, XI | `Co. X`, `County X` |
| IT | the two-letter province after the city (`ROMA RM`, `(RM)`) |
| LT | `X r. sav.`, `X m. sav.` (municipality) |
| LV | `X nov.`, `X pag.` (municipality, parish) |
| PL | `woj. X` (voivodeship) |
| PT | a locality line between street and postcode (`BRAGA`) |
| RO | `MUN.`, `MUNICIPIUL`, `ORAȘ`, `COM.`, `SAT`, `JUD. X`, `SECTOR n` |
| HU, MT, NL | nothing else |
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from vies.budget import Budget
from vies.leftovers import MARK, POSTCODE_MARK, allowed

NO_DATA = "---"
ADDRESS_FIELDS = ("street", "postcode", "city")

# Postcode shapes per member state, to tell whether VIES holds a postcode at all.
POSTCODES: dict[str, str] = {
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
    "IE": r"[a-z]\d[\dw] ?[\da-z]{4}",
    "IT": r"\d{5}",
    "LT": r"\d{5}",
    "LU": r"\d{4}",
    "LV": r"\d{4}",
    "MT": r"[a-z]{3} ?\d{4}",
    "NL": r"\d{4} ?[a-z]{2}",
    "PL": r"\d{2}-\d{3}",
    "PT": r"\d{4}-\d{3}",
    "RO": r"\d{6}",
    "SE": r"\d{3} ?\d{2}",
    "SI": r"\d{4}",
    "SK": r"\d{3} ?\d{2}",
    "XI": r"bt\d{1,2} ?\d[a-z]{2}",
}

# A hard cap on the placements one comparison examines (each a handful of regex matches):
# a real VIES text holds each typed field a few times, so a few dozen placements; a text made
# of one word repeated (issue 24: 400 times) would otherwise try every combination. Past the
# cap the comparison answers from what it examined: a match only if one was found (never a
# match that was not checked), else the fields that did not match.
MAX_PLACEMENTS = 500

# Notes on a compared field, for the pages that show the comparison.
NOTE_NOT_IN_VIES = "not_in_vies"  # VIES holds no postcode for this member state
NOTE_ADOPTED = "adopted"  # the address was adopted verbatim from VIES


@dataclass
class FieldMatch:
    """One compared field: VIES's text (`registered`) against the applicant's (`typed`)."""

    field: str
    registered: str
    typed: str
    matches: bool
    note: str = ""


@dataclass
class MatchOutcome:
    """`matches`: every field with data matches. `no_data`: VIES gave no name or address,
    so that field could not be checked (the registration goes on, flagged)."""

    matches: bool
    no_data: bool
    fields: list[FieldMatch] = field(default_factory=list)

    @property
    def mismatched(self) -> list[str]:
        return [f.field for f in self.fields if not f.matches]


def collapse(text: str) -> str:
    """NFC, trimmed, every white space run (line breaks too) as one space; case kept."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize(text: str) -> str:
    """The comparison form: collapse() and casefold. Accents and punctuation stay."""
    # casefold can decompose (e.g. "İ"), so NFC once more afterwards.
    return unicodedata.normalize("NFC", collapse(text).casefold())


def normalize_lines(text: str) -> str:
    """normalize() line by line, blank lines dropped, lines joined with "\\n"."""
    lines = (normalize(line) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def is_no_data(value: str | None) -> bool:
    """VIES's way of saying it holds nothing: missing, blank or "---"."""
    return value is None or value.strip() in ("", NO_DATA)


def country(country_code: str) -> str:
    code = country_code.strip().upper()
    return "GR" if code == "EL" else code


def postcode_pattern(country_code: str) -> re.Pattern[str] | None:
    shape = POSTCODES.get(country(country_code))
    return re.compile(rf"(?<!\w)(?:{shape})(?!\w)") if shape else None


def holds_postcode(country_code: str, vies_address: str) -> bool:
    """Whether VIES's address holds anything shaped like a postcode of that member state."""
    pattern = postcode_pattern(country_code)
    return pattern is None or pattern.search(normalize_lines(vies_address)) is not None


def _occurrences(text: str, typed: str) -> list[tuple[int, int]]:
    """Where `typed` (normalized) stands in `text` as a whole segment; overlaps included."""
    words = typed.split(" ")
    if not typed:
        return []
    body = "[ \n]".join(re.escape(w) for w in words)
    return [
        (m.start(), m.start() + len(m.group(1)))
        for m in re.finditer(rf"(?=(?<!\w)({body})(?!\w))", text)
    ]


@dataclass
class _Placement:
    spans: dict[str, tuple[int, int]]
    bad: list[tuple[int, int]]  # leftover pieces that are not allowed


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    cuts = sorted(spans)
    bounds = [0, *itertools.chain.from_iterable(cuts), len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def _piece_allowed(
    cc: str, text: str, piece: tuple[int, int], spans: dict[str, tuple[int, int]]
) -> bool:
    """A leftover piece, with marks for what touches it (text edge, postcode, other field)."""
    start, end = piece

    def mark(touching: list[str], edge: bool) -> str:
        if edge:
            return "\n"
        return POSTCODE_MARK if touching == ["postcode"] else MARK

    left = mark([n for n, s in spans.items() if s[1] == start], start == 0)
    right = mark([n for n, s in spans.items() if s[0] == end], end == len(text))
    return allowed(cc).fullmatch(left + text[start:end] + right) is not None


def _placements(cc: str, text: str, typed: dict[str, str], budget: Budget) -> list[_Placement]:
    """The ways of placing the typed fields without overlap, with their bad leftovers, until
    one has none or the budget is spent."""
    names = list(typed)
    found = [_occurrences(text, typed[n]) for n in names]
    result = []
    for combo in itertools.product(*found):
        if not budget.take():
            break
        ordered = sorted(combo)
        if any(a[1] > b[0] for a, b in itertools.pairwise(ordered)):
            continue
        spans = dict(zip(names, combo, strict=True))
        bad = [p for p in _pieces(text, ordered) if not _piece_allowed(cc, text, p, spans)]
        result.append(_Placement(spans, bad))
        if not bad:
            break
    return result


def address_mismatches(
    country_code: str,
    street: str,
    postcode: str,
    city: str,
    vies_address: str,
    budget: Budget | None = None,
) -> tuple[list[str], bool]:
    """The address rule: (the fields that do not match, whether the postcode was compared).
    At most MAX_PLACEMENTS placements are examined (or what `budget` allows)."""
    budget = budget if budget is not None else Budget(MAX_PLACEMENTS)
    cc = country(country_code)
    text = normalize_lines(vies_address)
    typed = {"street": normalize(street), "city": normalize(city)}
    use_postcode = holds_postcode(cc, vies_address)
    if use_postcode:
        typed["postcode"] = normalize(postcode)
    missing = [n for n, value in typed.items() if not _occurrences(text, value)]
    if missing:
        return [n for n in ADDRESS_FIELDS if n in missing], use_postcode
    placements = _placements(cc, text, typed, budget)
    if not placements:  # each is there, but only overlapping (or no work left): the longest
        return [max(typed, key=lambda n: len(typed[n]))], use_postcode
    best = min(placements, key=lambda p: sum(e - s for s, e in p.bad))
    if not best.bad:
        return [], use_postcode
    # Name the field the first bad leftover touches: the one before it, else the one after.
    start, end = best.bad[0]
    before = [n for n, span in best.spans.items() if span[1] == start]
    after = [n for n, span in best.spans.items() if span[0] == end]
    return (before or after or ["street"])[:1], use_postcode


def compare(
    country_code: str,
    name: str,
    street: str,
    postcode: str,
    city: str,
    vies_name: str | None,
    vies_address: str | None,
    *,
    adopted_address: str = "",
) -> MatchOutcome:
    """Compare typed company data with VIES's name and address, field by field."""
    fields: list[FieldMatch] = []
    no_data = False

    if is_no_data(vies_name):
        no_data = True
        fields.append(FieldMatch("name", "", collapse(name), True))
    else:
        registered = vies_name or ""
        ok = normalize(name) == normalize(registered)
        fields.append(FieldMatch("name", collapse(registered), collapse(name), ok))

    typed = {"street": street, "postcode": postcode, "city": city}
    if is_no_data(vies_address):
        no_data = True
        fields += [FieldMatch(n, "", collapse(typed[n]), True) for n in ADDRESS_FIELDS]
        return MatchOutcome(all(f.matches for f in fields), no_data, fields)

    registered = collapse(vies_address or "")
    if adopted_address and normalize_lines(adopted_address) == normalize_lines(vies_address or ""):
        fields += [
            FieldMatch(n, registered, collapse(typed[n]), True, NOTE_ADOPTED)
            for n in ADDRESS_FIELDS
        ]
        return MatchOutcome(all(f.matches for f in fields), no_data, fields)

    bad, postcode_compared = address_mismatches(
        country_code, street, postcode, city, vies_address or ""
    )
    for n in ADDRESS_FIELDS:
        if n == "postcode" and not postcode_compared:
            fields.append(FieldMatch(n, "", collapse(postcode), True, NOTE_NOT_IN_VIES))
        else:
            fields.append(FieldMatch(n, registered, collapse(typed[n]), n not in bad))
    return MatchOutcome(all(f.matches for f in fields), no_data, fields)
