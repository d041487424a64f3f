"""Dates and times as the applicant reads them: Europe/Budapest, in the UI language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

PORTAL_TZ = ZoneInfo("Europe/Budapest")


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def format_deadline(moment: datetime, language: str) -> str:
    local = as_utc(moment).astimezone(PORTAL_TZ)
    pattern = "yyyy. MMMM d. HH:mm" if language == "hu" else "d MMM yyyy HH:mm"
    return f"{format_datetime(local, pattern, locale=language)} ({local.tzname()})"


def format_remaining(moment: datetime, now: datetime, language: str) -> str:
    seconds = max(0, int((as_utc(moment) - now).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if language == "hu":
        return f"{hours} óra {minutes} perc" if hours else f"{minutes} perc"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
