"""The Hungarian definite article, chosen in code: „a BMW”, „az AOS-portál”, „az 5”.

Written Hungarian picks „az” before a vowel *sound*. For words that is the first letter;
for numbers it is how the number is read aloud: 1 (egy), 5 (öt), 50 (ötven), 1848
(ezernyolcszáz…) take „az”; 2, 10, 100 („száz”) take „a”.
"""

from __future__ import annotations

import re

_VOWELS = set("aáeéiíoóöőuúüű")
# Letters whose Hungarian name starts with a vowel sound (ef, el, em, en, er, es, iksz,
# ipszilon): „az F betű”, „az SMS”, but „a HU előtag” (há).
_VOWEL_NAMED_LETTERS = set("flmnrsxy") | _VOWELS
_DIGITS = re.compile(r"\d[\d\s.]*")


def _number_takes_az(digits: str) -> bool:
    """By how the number is read aloud: its leading group of three digits decides
    (1 234 „ezerkétszáz…”, 5 000 „ötezer”, 12 000 „tizenkétezer”)."""
    number = int(digits)
    while number >= 1000:
        number //= 1000
    if number < 10:
        return number in (1, 5)  # egy, öt (nulla, kettő … kilenc take „a”)
    # tíz/tizen-, húsz…, száz, kétszáz …: only ötven… and ötszáz… start with a vowel.
    return str(number)[0] == "5"


def a_az(word: str, *, capital: bool = False) -> str:
    """„a word” or „az word”, for text the code does not know in advance."""
    article = "az" if takes_az(word) else "a"
    if capital:
        article = article.capitalize()
    return f"{article} {word}"


def takes_az(word: str) -> bool:
    text = word.strip().lstrip("„\"'(")
    if not text:
        return False
    match = _DIGITS.match(text)
    if match:
        return _number_takes_az(re.sub(r"\D", "", match.group()))
    first = text[0].lower()
    # An all-capital abbreviation is read letter by letter: „az MNB”, „a BMW”, „az SMS”.
    head = re.match(r"[A-ZÁÉÍÓÖŐÚÜŰ]+(?![a-záéíóöőúüű])", text)
    if head:
        return first in _VOWEL_NAMED_LETTERS
    return first in _VOWELS
