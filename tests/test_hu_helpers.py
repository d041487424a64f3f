"""The Hungarian-first helpers of core/: a/az, names, dates and durations, postcodes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.articles import a_az
from core.formatting import format_ago, format_date, format_deadline, format_remaining
from core.names import person_name
from core.postcodes import InvalidPostcode, normalize_postcode


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("AOS-portál", "az AOS-portál"),
        ("BMW", "a BMW"),  # bé-em-vé
        ("MNB", "az MNB"),  # em-en-bé
        ("SMS", "az SMS"),
        ("HU12345676", "a HU12345676"),  # há
        ("Kovács Kft.", "a Kovács Kft."),
        ("Ügyfélkapu", "az Ügyfélkapu"),
        ("5", "az 5"),
        ("1", "az 1"),
        ("10", "a 10"),
        ("100", "a 100"),
        ("50", "az 50"),
        ("500", "az 500"),
        ("1848", "az 1848"),  # ezernyolcszáz…
        ("2026", "a 2026"),  # kétezer…
        ("12 000", "a 12 000"),
        ("„Egyéb” téma", "az „Egyéb” téma"),
    ],
)
def test_a_or_az_by_the_sound_the_word_starts_with(word: str, expected: str) -> None:
    assert a_az(word) == expected


def test_a_az_at_the_start_of_a_sentence() -> None:
    assert a_az("Autójavító Kft.", capital=True) == "Az Autójavító Kft."
    assert a_az("Kovács Kft.", capital=True) == "A Kovács Kft."


def test_names_in_the_order_of_the_language() -> None:
    assert person_name("Dr", "János", "Kovács", "hu") == "Dr. Kovács János"
    assert person_name("dr.", "János", "Kovács", "hu") == "dr. Kovács János"
    assert person_name("Dr.", "János", "Kovács", "en") == "Dr János Kovács"
    assert person_name("", "János", "Kovács", "hu") == "Kovács János"
    assert person_name(None, " János ", "Kovács", "en") == "János Kovács"


def test_dates_in_hungarian_and_european_english() -> None:
    moment = datetime(2026, 12, 4, 2, 45, tzinfo=UTC)  # 03:45 in Budapest (CET)
    assert format_deadline(moment, "hu") == "2026. december 4. 03:45 (CET)"
    assert format_deadline(moment, "en") == "4 December 2026 03:45 (CET)"
    assert format_date(moment, "hu") == "2026. december 4."
    assert format_date(date(2026, 12, 4), "en") == "4 December 2026"


def test_durations_over_a_day_are_days_and_hours() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    week = now + timedelta(hours=167, minutes=59)
    assert format_remaining(week, now, "hu") == "6 nap 23 óra"
    assert format_remaining(week, now, "en") == "6 days 23 h"
    assert format_remaining(now + timedelta(hours=3, minutes=5), now, "hu") == "3 óra 5 perc"
    assert format_remaining(now + timedelta(minutes=12), now, "hu") == "12 perc"
    assert format_remaining(now + timedelta(days=1), now, "en") == "1 day"


def test_ago_says_just_now_instead_of_zero_minutes() -> None:
    assert format_ago(20, "hu") == "az imént"
    assert format_ago(20, "en") == "just now"
    assert format_ago(5 * 60, "hu") == "5 perce"
    assert format_ago(3 * 3600 + 60, "hu") == "3 órája"
    assert format_ago(2 * 86400, "hu") == "2 napja"
    assert format_ago(2 * 86400, "en") == "2 days ago"


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("HU", "1132", "1132"),
        ("HU", "H-1132", "1132"),
        ("NL", "1012ab", "1012 AB"),
        ("SE", "11359", "113 59"),
        ("CZ", "110 00", "110 00"),
        ("SK", "81101", "811 01"),
        ("GR", "10431", "104 31"),
        ("PL", "00950", "00-950"),
        ("PT", "1000001", "1000-001"),
        ("MT", "vlt1117", "VLT 1117"),
        ("IE", "a65f4e2", "A65 F4E2"),
        ("DE", "D-10115", "10115"),
        ("XI", "bt11aa", "BT1 1AA"),
    ],
)
def test_postcodes_are_stored_as_the_country_writes_them(country, typed, stored) -> None:  # type: ignore[no-untyped-def]
    assert normalize_postcode(country, typed) == stored


def test_a_refused_postcode_carries_an_example() -> None:
    with pytest.raises(InvalidPostcode) as refused:
        normalize_postcode("NL", "ABCD")
    assert refused.value.example == "1012 AB"


def test_phone_numbers_in_national_form_take_the_countrys_code() -> None:
    from core.phones import InvalidPhone, example, normalize_phone

    assert normalize_phone("06 30 123 4567", "HU") == "+36 30 123 4567"
    assert normalize_phone("+36 1 234 5678", None) == "+36 1 234 5678"
    assert normalize_phone("028 9032 1234", "XI") == "+44 28 9032 1234"
    assert example("HU") == ("06 20 123 4567", "+36 20 123 4567")
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone("06 30", "HU")
    assert refused.value.national == "06 20 123 4567"
    with pytest.raises(InvalidPhone) as unknown:
        normalize_phone("06 30 123 4567", None)
    assert unknown.value.national == ""
