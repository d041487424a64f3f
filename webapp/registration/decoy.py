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
matched the data, or is slow. When VIES was slow, a new registration's page says "checking the
VAT number" until VIES answers; a "checking" decoy (its id ends in CHECKING) says the same for
CHECKING_PERIOD, then goes on as if VIES had matched.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core.models import Registration
from webapp.registration.progress import Progress, build_progress
from workflows import contracts as c
from workflows.contracts import iso

PREFIX = "~"  # real registration ids are hex
CHECKING = "~v"
# How long a "checking" decoy shows the VAT check as pending: VIES's first retries take
# this order of time (workflows/registration.py VIES_RETRY starts at 10 s).
CHECKING_PERIOD = timedelta(seconds=60)


def new_id(now: datetime | None = None, *, checking: bool = False) -> str:
    moment = now or datetime.now(UTC)
    suffix = CHECKING if checking else ""
    return f"{PREFIX}{int(moment.timestamp())}~{secrets.token_hex(8)}{suffix}"


def created_at(registration_id: str) -> datetime | None:
    """When the decoy was handed out, or None for a real registration id."""
    if not registration_id.startswith(PREFIX):
        return None
    try:
        return datetime.fromtimestamp(int(registration_id.split("~")[1]), UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        return None


def view(registration_id: str, window: int, now: datetime | None = None) -> c.StatusView | None:
    """What the workflow of a new registration would say now, or None for a real id."""
    created = created_at(registration_id)
    if created is None:
        return None
    now = now or datetime.now(UTC)
    deadline = created + timedelta(seconds=window)  # the window runs from Send Registration
    checked = created + (CHECKING_PERIOD if registration_id.endswith(CHECKING) else timedelta())
    steps = [c.Step(status=c.Status.VERIFYING_VAT.value, at=iso(created))]
    if now < checked:
        return c.StatusView(
            registration_id=registration_id,
            status=c.Status.VERIFYING_VAT.value,
            deadline=None,
            steps=steps,
        )
    steps.append(c.Step(status=c.Status.AWAITING_EMAIL_CONFIRMATION.value, at=iso(checked)))
    status = c.Status.AWAITING_EMAIL_CONFIRMATION
    if now > deadline:
        status = c.Status.EXPIRED
        steps.append(c.Step(status=status.value, at=iso(deadline)))
    return c.StatusView(
        registration_id=registration_id,
        status=status.value,
        deadline=iso(deadline) if status == c.Status.AWAITING_EMAIL_CONFIRMATION else None,
        steps=steps,
    )


def progress(registration_id: str, window: int, language: str) -> Progress | None:
    shown = view(registration_id, window)
    return None if shown is None else build_progress(Registration(), shown, language)


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
