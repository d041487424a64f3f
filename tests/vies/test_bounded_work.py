"""Issue 24 finding 8: splitting and matching VIES addresses is bounded work. The texts that
took seconds to minutes (``"A,"`` × 20/50/100, AT ``"1000 A\\n"`` × 20, 400 repeated tokens)
give a safe answer (no split, or one that matches; a mismatch where there is one) after a
bounded number of matching steps: counted here, timed only in ``make bench``."""

from __future__ import annotations

import pytest

from vies import matching
from vies.matching import address_mismatches
from vies.splitting import split_address

# Each candidate split costs a few occurrence searches, each placement a few leftover checks:
# far above what any real layout needs (tests/vies/layouts.py: under 100), far below the
# millions the texts below cost without a bound.
MAX_STEPS = 20_000


class TooMuchWork(Exception):
    pass


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the matching rule's inner steps; stops the run past MAX_STEPS."""
    count = [0]
    for name in ("_piece_allowed", "_occurrences"):
        inner = getattr(matching, name)

        def counted(*args, _inner=inner):  # type: ignore[no-untyped-def]
            count[0] += 1
            if count[0] > MAX_STEPS:
                raise TooMuchWork(count[0])
            return _inner(*args)

        monkeypatch.setattr(matching, name, counted)
    return count


def _safe(country: str, text: str, split: tuple[str, str, str] | None) -> None:
    """None (the text is then adopted verbatim), or a split that matches the text."""
    if split is not None:
        street, postcode, city = split
        assert address_mismatches(country, street, postcode, city, text)[0] == []


@pytest.mark.parametrize(
    ("country", "text"),
    [
        ("HU", "A," * 20),
        ("HU", "A," * 50),
        ("HU", "A," * 100),
        ("AT", "1000 A\n" * 20),
        ("HU", "A," * 12),  # few enough units to be searched: the budget ends it
        ("AT", "1000 A\n" * 12),
        ("HU", "Fő utca 1, " * 10 + "1132 Budapest"),
    ],
)
def test_an_adversarial_address_is_split_safely_in_bounded_steps(
    steps: list[int], monkeypatch: pytest.MonkeyPatch, country: str, text: str
) -> None:
    split = split_address(country, text)
    assert steps[0] <= MAX_STEPS
    monkeypatch.undo()  # the check of the answer is not counted
    _safe(country, text, split)


def test_four_hundred_repeated_tokens_are_a_mismatch_in_bounded_steps(steps: list[int]) -> None:
    text = " ".join(["A"] * 400)
    bad, postcode_compared = address_mismatches("HU", "A", "1000", "A", text)
    assert bad and not postcode_compared  # 398 "A"s left over: not the typed address
    assert steps[0] <= 3 * matching.MAX_PLACEMENTS + 10  # 3 leftover pieces each


def test_a_match_among_many_repeats_is_still_found(steps: list[int]) -> None:
    """The cap never turns a match into a mismatch where the fields stand once each."""
    text = "A " * 30 + "Fő utca 1\n1132 Budapest"
    street = ("A " * 30 + "Fő utca 1").strip()
    assert address_mismatches("HU", street, "1132", "Budapest", text)[0] == []
    assert address_mismatches("HU", "Fő utca 1", "1132", "Budapest", text)[0] == ["street"]
