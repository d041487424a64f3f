"""One way to write a moment on every console page: Budapest time, in the page's language.

HU „2026. december 4. 03:46”, EN „4 December 2026 03:46”; no zone abbreviation (the console
is read in Budapest, and one form beside another reads as two different clocks)."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_datetime

from core.formatting import PORTAL_TZ, as_utc, format_date

DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}([+-]\d{2}:\d{2}|Z)?")
PATTERNS = {"hu": "yyyy. MMMM d. HH:mm", "en": "d MMMM yyyy HH:mm"}


def format_local(moment: datetime | str | None, language: str) -> str:
    """A stored moment (a datetime, naive meaning UTC, or an ISO text as VIES and the
    workflow give it) as the console shows it; "—" for none, the text itself if unreadable."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        if DAY_ONLY.fullmatch(moment.strip()):  # a bare day (VIES's older form): no time
            return format_day(date.fromisoformat(moment.strip()[:10]), language)
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    local = as_utc(moment).astimezone(PORTAL_TZ)
    lang = language if language in PATTERNS else "en"
    return format_datetime(local, PATTERNS[lang], locale=lang)


def format_day(value: date, language: str) -> str:
    """A calendar day in the same form: HU „2026. december 4.”, EN „4 December 2026”."""
    return format_date(value, language if language in PATTERNS else "en")
