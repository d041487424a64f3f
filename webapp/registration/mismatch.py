"""The mismatch page's character marks: which letters of a field differ from what VIES holds.

The portal's rule (vies/matching.py) ignores case and white-space runs, so the marks do too;
everything else that differs (an accent, a full stop) is marked, in text as well as colour.
An address field is compared with the part of VIES's one address text it stands for: the
line it is on, less the words another typed field claims (the postcode before the city)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vies.matching import ADDRESS_FIELDS, collapse, normalize

# "same": shown plainly; "diff": marked; "gap": where this side lacks what the other has.
SAME, DIFF, GAP = "same", "diff", "gap"
SEPARATORS = ",;"
MAX_CHANGES = 4  # the summary names the first few changes, then "and more"


@dataclass
class Change:
    """One difference, for the text summary: `registered` in VIES, `typed` by the applicant
    (one of them empty when a character is missing or extra)."""

    registered: str
    typed: str


@dataclass
class MarkedField:
    registered: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    typed: list[tuple[str, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    more: bool = False  # more changes than the summary names


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _runs(line: str, claimed: list[list[str]]) -> list[str]:
    """The line's maximal runs of words that no other typed field claims as a whole."""
    words = line.split()
    keys = [normalize(w.strip(SEPARATORS)) for w in words]
    free = [True] * len(words)
    for claim in claimed:
        n = len(claim)
        for i in range(len(words) - n + 1):
            if n and keys[i : i + n] == claim:
                free[i : i + n] = [False] * n
    runs, current = [], []
    for word, ok in zip(words, free, strict=True):
        if ok:
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [" ".join(run).strip(SEPARATORS + " ") for run in runs]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def registered_part(typed: str, address: str, other_typed: Iterable[str]) -> str:
    """The part of VIES's address text a typed address field is best compared with."""
    claimed = [[w.strip(SEPARATORS) for w in normalize(v).split()] for v in other_typed]
    candidates = [
        run for line in address.splitlines() for run in _runs(collapse(line), claimed) if run
    ]
    if not candidates:
        return collapse(address)
    key = normalize(typed)
    return max(candidates, key=lambda run: (_ratio(key, normalize(run)), -len(run)))


def mark(registered: str, typed: str) -> MarkedField:
    """Both texts cut into plain and marked pieces, and the changes named one by one."""
    a, b = collapse(registered), collapse(typed)
    keys_a, keys_b = [ch.casefold() for ch in a], [ch.casefold() for ch in b]
    out = MarkedField()
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.registered.append((SAME, a[i1:i2]))
            out.typed.append((SAME, b[j1:j2]))
            continue
        if i2 > i1:
            out.registered.append((DIFF, a[i1:i2]))
        if j2 > j1:
            out.typed.append((DIFF, b[j1:j2]))
        else:
            out.typed.append((GAP, ""))
        out.changes.append(Change(a[i1:i2], b[j1:j2]))
    out.more = len(out.changes) > MAX_CHANGES
    out.changes = out.changes[:MAX_CHANGES]
    return out


def mark_comparison(comparison: Any, fields: Iterable[Any], address: str) -> MarkedField:
    """Marks for one differing field of a VIES comparison (a dataclass or its dict form)."""
    name, typed = _get(comparison, "field"), _get(comparison, "typed") or ""
    registered = _get(comparison, "registered") or ""
    if name in ADDRESS_FIELDS and address:
        others = [
            _get(f, "typed") or ""
            for f in fields
            if _get(f, "field") in ADDRESS_FIELDS and _get(f, "field") != name
        ]
        registered = registered_part(typed, address, others)
    return mark(registered, typed)
