"""What the web app knows about VIES's health: the member states whose VAT service is down
(`GET {VIES_URL}/check-status`, asked at most once a minute per process) and the portal's own
VIES faults the worker recorded (the console's banner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vies.client import ServiceStatus, StatusCache
from webapp.models import ViesFault, utcnow

EXTENSION = "aos_vies_status"
# The banner shows the faults of this last stretch of time.
FAULT_WINDOW = timedelta(hours=1)


def service_status() -> ServiceStatus:
    """VIES's availability, cached for a minute in this web process."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        settings = current_app.config["SETTINGS"]
        # Short timeout: the pages that ask must not hang on a VIES that does not answer.
        cache = current_app.extensions[EXTENSION] = StatusCache(settings.vies_url, timeout=2.0)
    return cache.get()


def country_unavailable(country_code: str) -> bool:
    """Whether VIES reports that member state's service as down right now."""
    status = service_status()
    return status.reachable and country_code.upper() in status.unavailable


@dataclass
class FaultSummary:
    code: str
    count: int
    last_at: datetime


def recent_faults(session: Session, now: datetime | None = None) -> list[FaultSummary]:
    """The portal's own VIES faults in the last hour, by code, the latest first."""
    since = (now or utcnow()) - FAULT_WINDOW
    rows = session.execute(
        select(ViesFault.code, func.count(), func.max(ViesFault.at))
        .where(ViesFault.at >= since)
        .group_by(ViesFault.code)
        .order_by(func.max(ViesFault.at).desc())
    ).all()
    return [FaultSummary(code, count, last) for code, count, last in rows]
