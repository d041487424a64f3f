"""The answer "Send Registration" gives when the address already has an account or an open
registration: the same redirect to a status page that a new registration gets, so the
answer does not tell an outsider whether the address is registered (ASVS V6.3.8).

The decoy's id is made here and signed into the status link like a real one; nothing is
stored. Its page says what a new registration's page says: the VAT check passed, the
confirmation email is on its way, the 48 hours run; once they are over, "Expired". The
"Send again" button answers like a real one. The address's owner meanwhile gets the
"already registered" email (at most once an hour, webapp/registration/service.py).

The VIES check and its mismatch page come first for a taken address too
(service.answer_taken, workflows/vat_only.py): the decoy is shown only once VIES has
matched the data, or is slow (SECURITY.md, known gaps).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core.models import Registration
from webapp.registration.progress import Progress, build_progress
from workflows import contracts as c

PREFIX = "~"  # real registration ids are hex


def new_id(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return f"{PREFIX}{int(moment.timestamp())}~{secrets.token_hex(8)}"


def created_at(registration_id: str) -> datetime | None:
    """When the decoy was handed out, or None for a real registration id."""
    if not registration_id.startswith(PREFIX):
        return None
    try:
        return datetime.fromtimestamp(int(registration_id.split("~")[1]), UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def progress(registration_id: str, window: int, language: str) -> Progress | None:
    created = created_at(registration_id)
    if created is None:
        return None
    deadline = created + timedelta(seconds=window)
    steps = [
        c.Step(status=c.Status.VERIFYING_VAT.value, at=_iso(created)),
        c.Step(status=c.Status.AWAITING_EMAIL_CONFIRMATION.value, at=_iso(created)),
    ]
    status = c.Status.AWAITING_EMAIL_CONFIRMATION
    if datetime.now(UTC) > deadline:
        status = c.Status.EXPIRED
        steps.append(c.Step(status=status.value, at=_iso(deadline)))
    view = c.StatusView(
        registration_id=registration_id,
        status=status.value,
        deadline=_iso(deadline) if status == c.Status.AWAITING_EMAIL_CONFIRMATION else None,
        steps=steps,
    )
    return build_progress(Registration(), view, language)


def resend_wait(registration_id: str) -> int:
    """Seconds a real registration would still make the applicant wait for a resend."""
    created = created_at(registration_id)
    if created is None:
        return 0
    since = (datetime.now(UTC) - created).total_seconds()
    return (
        max(0, int(c.RESEND_COOLDOWN_SECONDS - since) + 1)
        if since < c.RESEND_COOLDOWN_SECONDS
        else 0
    )
