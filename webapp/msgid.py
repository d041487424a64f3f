"""Marking a message for translation where it is written, without translating it there.

For the modules a service imports, which must not need Flask-Babel: they hold msgids,
marked with N_ (one of pybabel's default keywords, so the extraction and
tests/webapp/test_translations.py find them), and whoever shows one translates it: a view
or template with gettext, a service with the catalogue of core.emails.translations(language).
"""

from __future__ import annotations

from collections.abc import Callable

# msgid -> the text in the reader's language (flask_babel.gettext, Translations.gettext)
Translate = Callable[[str], str]


def N_(message: str) -> str:
    """The msgid itself: marked for the catalogue, translated where it is shown."""
    return message
