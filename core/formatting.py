"""Dates and times as the applicant reads them: Europe/Budapest, in the UI language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime

PORTAL_TZ = ZoneInfo("Europe/Budapest")


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def format_deadline(moment: datetime, language: str) -> str:
    local = as_utc(moment).astimezone(PORTAL_TZ)
    # European order in English too: „4 December 2026 03:45”, never „December 4, 2026”.
    pattern = "yyyy. MMMM d. HH:mm" if language == "hu" else "d MMMM yyyy HH:mm"
    return f"{format_datetime(local, pattern, locale=language)} ({local.tzname()})"


def format_date(moment: datetime | date, language: str) -> str:
    """„2026. december 4.” / „4 December 2026”."""
    if isinstance(moment, datetime):
        moment = as_utc(moment).astimezone(PORTAL_TZ).date()
    pattern = "yyyy. MMMM d." if language == "hu" else "d MMMM yyyy"
    return babel_format_date(moment, pattern, locale=language)


def format_duration(seconds: float, language: str) -> str:
    """„6 nap 23 óra”, „3 óra 5 perc”, „12 perc”: days once a duration passes a day,
    never „167 óra 59 perc”."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if language == "hu":
        if days:
            return f"{days} nap {hours} óra" if hours else f"{days} nap"
        return f"{hours} óra {minutes} perc" if hours else f"{minutes} perc"
    if days:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def format_remaining(moment: datetime, now: datetime, language: str) -> str:
    return format_duration((as_utc(moment) - now).total_seconds(), language)


def format_ago(seconds: float, language: str) -> str:
    """„az imént”, „5 perce”, „3 órája”, „2 napja” / „just now”, „5 min ago”."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "az imént" if language == "hu" else "just now"
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if language == "hu":
        if days:
            return f"{days} napja"
        return f"{hours} órája" if hours else f"{minutes} perce"
    if days:
        return f"{days} day ago" if days == 1 else f"{days} days ago"
    return f"{hours} h ago" if hours else f"{minutes} min ago"
