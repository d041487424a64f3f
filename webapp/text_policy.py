"""One policy for the free text people type into the portal (issue 24, finding 7).

Every free-text field is either a *line* (names, company, address, phone, subject …) or a
*text* (a message, a reply). Both refuse what a reader cannot see or what makes the text
read differently than it is stored: control characters, the bidirectional embeddings,
overrides, isolates and marks (U+202A–202E, U+2066–2069, LRM, RLM, ALM), zero-width spaces
and the word joiner, the byte-order mark, the soft hyphen, tag characters (Unicode's format
category Cf as a whole) and the blank "letters" (Hangul fillers such as U+3164, the braille
blank, the combining grapheme joiner). A line also refuses line breaks and tabs, so a name
cannot forge lines in an email's header block; a text keeps them. A text keeps ZWJ and ZWNJ
too: emoji sequences and Persian or Indic words need them; names and addresses do not.

Refused, never silently stripped: the message names the character and where it stands, in
the reader's language, and the form keeps what was typed. `input_filter` still refuses NUL
and the other C0 controls in every value before any view runs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import ValidationError

# Shown as nothing although not in category Cf.
_BLANKS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
_LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029\x0b\x0c")
# An address a mailto: link may carry unchanged: no "?", "&", "%", "=" or "#" that a mail
# program would read as the link's parameters (bcc=, body=) rather than the address.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Problem:
    position: int  # 1-based, in characters, as a reader counts
    char: str
    line_break: bool

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.char, "") or "control character"


def problem(text: str, *, multi_line: bool = False) -> Problem | None:
    """The first character the policy refuses in `text`, or None."""
    for index, char in enumerate(text):
        if char in _LINE_BREAKS or char == "\t":
            if multi_line and char in "\n\r\t":
                continue
            return Problem(index + 1, char, line_break=char != "\t")
        category = unicodedata.category(char)
        if category == "Cf" and multi_line and char in _JOINERS:
            continue
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp") or char in _BLANKS:
            return Problem(index + 1, char, line_break=False)
    return None


def _message(found: Problem) -> str:
    if found.line_break:
        return _(
            "Please write this on a single line: character %(position)s is a line break.",
            position=found.position,
        )
    return _(
        "Character %(position)s, %(code)s (%(name)s), is invisible or changes the direction "
        "of the text. Please remove it.",
        position=found.position,
        code=found.code,
        name=found.name,
    )


def single_line(_form: object, field: Field) -> None:
    """WTForms validator for a line: one line of visible text."""
    found = problem(field.data or "")
    if found is not None:
        raise ValidationError(_message(found))


def multi_line(_form: object, field: Field) -> None:
    """WTForms validator for a text: line breaks allowed, nothing invisible."""
    found = problem(field.data or "", multi_line=True)
    if found is not None:
        raise ValidationError(_message(found))


def mailto(address: str | None) -> Markup:
    """An address for a page: a `mailto:` link when the address cannot smuggle the link's
    parameters (``x?bcc=…&body=…&a=@example.com``), else the address as plain text."""
    text = address or ""
    if _PLAIN_ADDRESS.fullmatch(text):
        return Markup('<a href="mailto:{0}">{0}</a>').format(text)
    return escape(text)
