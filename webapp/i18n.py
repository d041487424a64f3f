"""UI language: Hungarian by default; ?lang=en (remembered) or Accept-Language: en."""

from __future__ import annotations

from flask import request, session

LANGUAGES = ("hu", "en")


def select_locale() -> str:
    lang = request.args.get("lang") or session.get("lang")
    if lang in LANGUAGES:
        return lang
    best = request.accept_languages.best_match(LANGUAGES)
    return best or "hu"
