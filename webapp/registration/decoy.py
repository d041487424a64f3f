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
VAT number" until VIES answers; a "checking" decoy (a bit in its id) says the same for
CHECKING_PERIOD, then goes on as if VIES had matched.

A decoy's id and token have the shape and size of a real one's, and "Send again" does the
same work (the record looked up, one Temporal round trip through the worker: bridge
resend_decoy, workflows/decoy.py), so neither the link nor the answer's time tells it apart.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from core.models import Registration
from webapp.registration.progress import Progress, build_progress
from workflows import contracts as c
from workflows.contracts import iso

# How long a "checking" decoy shows the VAT check as pending: VIES's first retries take
# this order of time (workflows/registration.py VIES_RETRY starts at 10 s).
CHECKING_PERIOD = timedelta(seconds=60)

# A decoy id looks like a real one (16 hex digits, service.new_registration_id): its 64 bits
# are (seconds since 1970, 32 bits | checking, 1 bit | a 31-bit mark | ) passed through a
# keyed permutation, so only the holder of the secret key can tell it from random bits. A
# random real id reads as a decoy with odds 2**-31, and the views look the id up in the
# records first anyway.
_MARK = 0x2A5C_0DE5  # 31 bits
_ROUNDS = 4  # a 4-round Feistel network with a pseudo-random round function is a strong PRP


def _round_keys(secret: str) -> list[bytes]:
    base = hmac.new(secret.encode(), b"aos-decoy-id", hashlib.sha256).digest()
    return [hmac.new(base, bytes([i]), hashlib.sha256).digest() for i in range(_ROUNDS)]


def _f(key: bytes, half: int) -> int:
    return int.from_bytes(hmac.new(key, half.to_bytes(4, "big"), hashlib.sha256).digest()[:4])


def _encrypt(secret: str, block: int) -> int:
    left, right = block >> 32, block & 0xFFFF_FFFF
    for key in _round_keys(secret):
        left, right = right, left ^ _f(key, right)
    return (left << 32) | right


def _decrypt(secret: str, block: int) -> int:
    left, right = block >> 32, block & 0xFFFF_FFFF
    for key in reversed(_round_keys(secret)):
        left, right = right ^ _f(key, left), left
    return (left << 32) | right


def new_id(secret: str, now: datetime | None = None, *, checking: bool = False) -> str:
    """A decoy registration id: 16 hex digits, like service.new_registration_id()."""
    moment = now or datetime.now(UTC)
    seconds = int(moment.timestamp()) & 0xFFFF_FFFF
    low = (int(checking) << 31) | _MARK
    return f"{_encrypt(secret, (seconds << 32) | low):016x}"


def _open(secret: str, registration_id: str) -> tuple[datetime, bool] | None:
    if len(registration_id) != 16:
        return None
    try:
        block = int(registration_id, 16)
    except ValueError:
        return None
    plain = _decrypt(secret, block)
    if plain & 0x7FFF_FFFF != _MARK:
        return None
    return datetime.fromtimestamp(plain >> 32, UTC), bool(plain >> 31 & 1)


def created_at(secret: str, registration_id: str) -> datetime | None:
    """When the decoy was handed out, or None for a real registration id."""
    opened = _open(secret, registration_id)
    return None if opened is None else opened[0]


def is_checking(secret: str, registration_id: str) -> bool:
    opened = _open(secret, registration_id)
    return opened is not None and opened[1]


def view(
    secret: str, registration_id: str, window: int, now: datetime | None = None
) -> c.StatusView | None:
    """What the workflow of a new registration would say now, or None for a real id."""
    created = created_at(secret, registration_id)
    if created is None:
        return None
    now = now or datetime.now(UTC)
    deadline = created + timedelta(seconds=window)  # the window runs from Send Registration
    checked = created + (CHECKING_PERIOD if is_checking(secret, registration_id) else timedelta())
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


def progress(secret: str, registration_id: str, window: int, language: str) -> Progress | None:
    shown = view(secret, registration_id, window)
    return None if shown is None else build_progress(Registration(), shown, language)


def resend_wait(secret: str, registration_id: str) -> int:
    """Seconds a real registration would still make the applicant wait for a resend."""
    created = created_at(secret, registration_id)
    if created is None:
        return 0
    since = (datetime.now(UTC) - created).total_seconds()
    return (
        max(0, int(c.RESEND_COOLDOWN_SECONDS - since) + 1)
        if since < c.RESEND_COOLDOWN_SECONDS
        else 0
    )
