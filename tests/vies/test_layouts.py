"""Every member state's real VIES layouts: typed as registered → match; one letter changed in a
field → mismatch naming that field; "Use the registered data" (split) → match."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vies.layouts import LAYOUTS
from vies.matching import compare
from vies.splitting import split_address
from vies.vatnumber import EU_COUNTRY_CODES

NAME = "TEST COMPANY S.R.O."
IDS = [f"{cc}-{i % 2}" for i, (cc, _, _) in enumerate(LAYOUTS)]
TYPED_POSTCODE = "99999"  # what an applicant types where VIES holds no postcode


def _typed(parts: tuple[str, str, str]) -> tuple[str, str, str]:
    street, postcode, city = parts
    return street, postcode or TYPED_POSTCODE, city


def _one_letter_changed(text: str) -> str:
    """The first letter or digit replaced by another of its kind."""
    for i, ch in enumerate(text):
        if ch.isdigit():
            return text[:i] + ("8" if ch != "8" else "7") + text[i + 1 :]
        if ch.isalpha():
            return text[:i] + ("Q" if ch.casefold() != "q" else "X") + text[i + 1 :]
    raise AssertionError(f"nothing to change in {text!r}")


def test_two_layouts_per_member_state_and_xi() -> None:
    counts = Counter(cc for cc, _, _ in LAYOUTS)
    assert {cc: n for cc, n in counts.items() if n >= 2}.keys() == set(EU_COUNTRY_CODES)


@pytest.mark.parametrize(("country", "address", "parts"), LAYOUTS, ids=IDS)
def test_typed_as_registered_matches(country: str, address: str, parts: tuple) -> None:
    outcome = compare(country, NAME, *_typed(parts), NAME, address)
    assert outcome.mismatched == []
    assert outcome.matches and not outcome.no_data


@pytest.mark.parametrize(("country", "address", "parts"), LAYOUTS, ids=IDS)
@pytest.mark.parametrize("index", [0, 1, 2], ids=["street", "postcode", "city"])
def test_one_letter_changed_names_the_field(
    country: str, address: str, parts: tuple, index: int
) -> None:
    typed = list(_typed(parts))
    typed[index] = _one_letter_changed(typed[index])
    outcome = compare(country, NAME, *typed, NAME, address)
    field = ("street", "postcode", "city")[index]
    if field == "postcode" and not parts[1]:
        # VIES holds no postcode here: it is not compared, and the page says why.
        assert outcome.matches and outcome.fields[2].note == "not_in_vies"
    else:
        assert outcome.mismatched == [field]


@pytest.mark.parametrize(("country", "address", "parts"), LAYOUTS, ids=IDS)
def test_name_with_one_letter_changed_is_a_mismatch(
    country: str, address: str, parts: tuple
) -> None:
    outcome = compare(country, _one_letter_changed(NAME), *_typed(parts), NAME, address)
    assert outcome.mismatched == ["name"]


@pytest.mark.parametrize(("country", "address", "parts"), LAYOUTS, ids=IDS)
def test_adopting_the_registered_data_matches(country: str, address: str, parts: tuple) -> None:
    split = split_address(country, address)
    assert split == parts  # the fields an applicant reads off the text
    street, postcode, city = split
    # Where VIES holds no postcode, adopting keeps the one the applicant typed.
    outcome = compare(country, NAME, street, postcode or TYPED_POSTCODE, city, NAME, address)
    assert outcome.matches


# --- the round trip as a property: compare(split(x)) matches for every layout -------------

WORD = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUVZÁÉÍÓÖŐÚÜŰČŠŽĀĒĪ", min_size=2, max_size=9)
STREETS = st.builds(
    lambda words, number: " ".join([*words, str(number)]),
    st.lists(WORD, min_size=1, max_size=3),
    st.integers(min_value=1, max_value=999),
)
CITIES = st.lists(WORD, min_size=1, max_size=2).map(" ".join)


SHAPES = [
    (cc, address, parts)
    for cc, address, parts in LAYOUTS
    # the city must not also stand inside a leftover (PT's locality line, CZ's district)
    if address.count(parts[2]) == 1 and parts[2] not in parts[0] and parts[0] not in parts[2]
]


@settings(max_examples=int(os.environ.get("AOS_PROPERTY_EXAMPLES", "150")), deadline=None)
@given(st.sampled_from(SHAPES), STREETS, CITIES)
def test_round_trip_property(shape: tuple, street: str, city: str) -> None:
    country, address, (old_street, postcode, old_city) = shape
    text = address.replace(old_street, street, 1).replace(old_city, city, 1)
    split = split_address(country, text)
    assert split is not None, text
    s, p, c = split
    assert compare(country, NAME, s, p or TYPED_POSTCODE, c, NAME, text).matches, (text, split)
