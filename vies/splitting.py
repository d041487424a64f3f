"""Splitting VIES's one address text into street, postcode and city, for "Use the registered
data". Every split offered is checked against the rule itself (vies/matching.py), so adopting
it always matches; when no split passes, None: the address is then adopted verbatim."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from vies.budget import Budget
from vies.leftovers import MARK, allowed
from vies.matching import (
    address_mismatches,
    collapse,
    country,
    is_no_data,
    normalize,
    postcode_pattern,
)

# Where a VIES text falls apart into units: line breaks, commas, semicolons, " - ".
_SEPARATOR = re.compile(r"\s*(?:\n|,|;|\s-\s)\s*")
# Bounds on the search: a VIES text has a handful of units; this is far more than needed.
# SPLIT_WORK caps the whole split: each candidate tried and each placement its check examines
# (vies/budget.Budget) costs one. Without it a text of many short units ("A," 100 times,
# issue 24) tried thousands of candidates with hundreds of placements each: a minute of work
# in the worker for one VIES answer. MAX_UNITS: more units than any real address has; such a
# text is not split (it is adopted verbatim, as any text no split fits).
SPLIT_WORK = 500
MAX_UNITS = 12
_MAX_TRIES = 3000
_ENOUGH = 40


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    line: int


def _text(vies_address: str) -> str:
    lines = (collapse(line) for line in unicodedata.normalize("NFC", vies_address).splitlines())
    return "\n".join(line for line in lines if line)


def _postcode_spans(cc: str, text: str) -> list[tuple[int, int]]:
    """Postcode-shaped spans, the last one first (VIES mostly ends with "postcode city")."""
    pattern = postcode_pattern(cc)
    if pattern is None:
        return []
    # Match on the casefolded text; lengths agree because postcodes are ASCII.
    folded = "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for ch in text)
    return [m.span() for m in reversed(list(pattern.finditer(folded)))]


def _units(text: str, cut: tuple[int, int] | None) -> list[_Unit]:
    """The runs of text between separators, with the postcode (and its prefix) cut out."""
    holes = [m.span() for m in _SEPARATOR.finditer(text)]
    if cut is not None:
        # "AT-9182": the prefix goes with the postcode, the digits are the postcode.
        prefix = re.search(r"(?<!\w)[A-Za-z]{1,2}-$", text[: cut[0]])
        holes.append((prefix.start() if prefix else cut[0], cut[1]))
    holes.sort()
    units, pos = [], 0
    for s, e in [*holes, (len(text), len(text))]:
        if s > pos:
            chunk = text[pos:s]
            lead = len(chunk) - len(chunk.lstrip())
            body = chunk.strip()
            if body:
                begin = pos + lead
                units.append(_Unit(begin, begin + len(body), text.count("\n", 0, begin)))
        pos = max(pos, e)
    return units


def _variants(cc: str, text: str, unit: _Unit) -> Iterator[tuple[str, bool]]:
    """The unit, and the unit without an allowed prefix or suffix ("гр.СОФИЯ" → "СОФИЯ");
    with whether something was stripped."""
    body = text[unit.start : unit.end]
    yield body, False
    pattern = allowed(cc)
    for m in re.finditer(r"(?<=\W)(?=\w)|(?<=\w)(?=\W)", body):
        left, right = body[: m.start()], body[m.start() :]
        if pattern.fullmatch("\n" + normalize(left) + MARK) and right.strip():
            yield right.strip(), True
        if pattern.fullmatch(MARK + normalize(right) + "\n") and left.strip():
            yield left.strip(), True


@dataclass(frozen=True)
class _Candidate:
    street: str
    postcode: str
    city: str
    city_rank: int  # 0: next to the postcode; higher: a less likely place for the city
    city_stripped: bool
    street_lines: int
    city_is_leftover: bool  # the "city" is itself only a leftover ("CO. KILDARE")

    def score(self) -> tuple[int, ...]:
        """Lower is better: a street with letters and a house number, a city that is not only a
        leftover ("CO. KILDARE"), no number in the city, the city where
        it usually stands, "гр."-like prefixes left out, the street on one line and short."""
        digit = re.compile(r"\d")
        letters = re.search(r"[^\W\d_]", self.street) is not None
        return (
            (0 if digit.search(self.street) else 1) if letters else 2,
            1 if self.city_is_leftover else 0,
            1 if digit.search(self.city) else 0,
            self.city_rank,
            0 if self.city_stripped else 1,
            self.street_lines,
            len(self.street),
        )


def _candidates(cc: str, text: str) -> Iterator[_Candidate]:
    spans: list[tuple[int, int] | None] = [*_postcode_spans(cc, text)] or [None]
    for cut in spans:
        postcode = text[cut[0] : cut[1]] if cut else ""
        units = _units(text, cut)
        # The city stands next to the postcode (after it, else before), else last, else first.
        after = [u for u in units if cut and u.start >= cut[1]]
        before = [u for u in reversed(units) if cut and u.end <= cut[0]]
        order = list(dict.fromkeys(after[:1] + before[:1] + units[::-1]))
        for rank, city_unit in enumerate(order):
            rest = [u for u in units if u is not city_unit]
            for city, stripped in _variants(cc, text, city_unit):
                leftover = allowed(cc).fullmatch(MARK + normalize(city) + MARK) is not None
                for street, lines in _streets(cc, text, rest):
                    yield _Candidate(street, postcode, city, rank, stripped, lines, leftover)


def _streets(cc: str, text: str, units: list[_Unit]) -> Iterator[tuple[str, int]]:
    """Runs of consecutive units as the street: one line before several, longer first."""
    runs = [
        (units[i], units[j])
        for i in range(len(units))
        for j in range(i, len(units))
        if "\n" not in text[units[i].end : units[j].start] or i == j
    ]
    multi = [
        (units[i], units[j])
        for i in range(len(units))
        for j in range(i + 1, len(units))
        if "\n" in text[units[i].end : units[j].start]
    ]
    runs.sort(key=lambda r: r[0].start - r[1].end)
    for first, last in runs + multi:
        lines = last.line - first.line + 1
        for variant, _ in _variants(cc, text, _Unit(first.start, last.end, first.line)):
            yield collapse(variant), lines


def split_address(
    country_code: str, vies_address: str, budget: Budget | None = None
) -> tuple[str, str, str] | None:
    """(street, postcode, city) in VIES's spelling such that typing them back matches; the
    postcode is "" when VIES holds none (the typed one then stays). None: cannot be split.
    At most SPLIT_WORK work (or what `budget` allows); every split returned was checked."""
    budget = budget if budget is not None else Budget(SPLIT_WORK)
    cc = country(country_code)
    if is_no_data(vies_address) or postcode_pattern(cc) is None:
        return None
    text = _text(vies_address)
    if len(_units(text, None)) > MAX_UNITS:
        return None
    valid: list[_Candidate] = []
    for tried, cand in enumerate(_candidates(cc, text)):
        if tried >= _MAX_TRIES or len(valid) >= _ENOUGH or not budget.take():
            break
        if normalize(cand.street) and normalize(cand.city):
            bad, _ = address_mismatches(
                cc, cand.street, cand.postcode, cand.city, vies_address, budget
            )
            if not bad:
                valid.append(cand)
    if not valid:
        return None
    best = min(valid, key=_Candidate.score)
    return best.street, best.postcode, best.city
