"""Bad input stops at the door (ASVS V2, V1.2).

Before any view runs, every query and form value, and the path, is checked: NUL and the
other C0 control characters (tab, newline and carriage return excepted), DEL, and unpaired
surrogates answer 400 with a page in the visitor's language. PostgreSQL refuses NUL in text,
so without this a NUL byte in any field would be a 500. A body or query string that is not
valid UTF-8 is refused the same way (Werkzeug would quietly turn it into U+FFFD).

What a free-text field may hold beyond that (no line break in a line, nothing invisible,
no bidi controls) is the one policy of webapp/text_policy.py, whose validators the forms use.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, render_template, request
from werkzeug.datastructures import ImmutableMultiDict

from webapp.text_policy import mailto

# C0 controls except \t \n \r, DEL, and lone surrogates (Python keeps them in str).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
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
    app.jinja_env.filters["mailto"] = mailto  # requester addresses in the console

    @app.before_request
    def _refuse_bad_input():  # type: ignore[no-untyped-def]
        if bad_request():
            return render_template("errors/bad_input.html"), 400
        return None
