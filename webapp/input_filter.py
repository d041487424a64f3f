"""Bad input stops at the door (ASVS V2, V1.2).

Before any view runs, every query and form value, and the path, is checked: NUL and the
other C0 control characters (tab, newline and carriage return excepted), DEL, and unpaired
surrogates answer 400 with a page in the visitor's language. PostgreSQL refuses NUL in text,
so without this a NUL byte in any field would be a 500. A body or query string that is not
valid UTF-8 is refused the same way (Werkzeug would quietly turn it into U+FFFD).

Names and addresses are single-line and refuse the bidirectional override and isolate
characters, which can make a company name read differently than it is stored
(`single_line` below, used by the registration forms).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import Field
from wtforms.validators import ValidationError

# C0 controls except \t \n \r, DEL, and lone surrogates (Python keeps them in str).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Single-line fields also refuse \t \n \r, and the bidi embeddings, overrides and isolates.
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "")


def is_clean(text: str) -> bool:
    return _FORBIDDEN.search(text) is None


def _valid_utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def bad_request() -> bool:
    """Whether this request carries a value no view should see."""
    if not _valid_utf8(request.query_string):
        # Werkzeug's request.args would raise on raw non-UTF-8 bytes: the error page (its
        # language choice reads ?lang=) sees no query at all.
        request.args = ImmutableMultiDict()  # type: ignore[misc]
        return True
    if request.mimetype in _FORM_TYPES and request.content_length:
        if not _valid_utf8(request.get_data(cache=True)):
            return True
    values = [request.path, *request.args.keys(), *request.args.values()]
    values += [*request.form.keys(), *request.form.values()]
    values += [f.filename or "" for f in request.files.values()]
    return not all(is_clean(v) for v in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_bad_input():  # type: ignore[no-untyped-def]
        if bad_request():
            return render_template("errors/bad_input.html"), 400
        return None


def single_line(_form: object, field: Field) -> None:
    """WTForms validator: one line of plain text, without bidi control characters."""
    if _NOT_IN_A_LINE.search(field.data or ""):
        raise ValidationError(
            _l("Please use only letters, digits and punctuation here, on a single line.")
        )
