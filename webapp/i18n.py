"""UI language: Hungarian by default; ?lang=en (remembered) or Accept-Language: en."""

from __future__ import annotations

from flask import request, session

LANGUAGES = ("hu", "en")
DEFAULT_LANGUAGE = "hu"


def select_locale() -> str:
    lang = request.args.get("lang") or session.get("lang")
    if lang in LANGUAGES:
        return lang
    best = request.accept_languages.best_match(LANGUAGES)
    return best or DEFAULT_LANGUAGE


def current_language() -> str:
    """The request's UI language; the default outside a request."""
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LANGUAGE)
