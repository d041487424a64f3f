"""The decoy status page follows a new registration's course, a slow VAT check included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webapp.registration import decoy
from workflows import contracts as c

WINDOW = 48 * 3600
SECRET = "a-test-secret-key"
SENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_a_decoy_after_a_vies_match_awaits_the_confirmation_at_once() -> None:
    shown = decoy.view(SECRET, decoy.new_id(SECRET, SENT), WINDOW, now=SENT + timedelta(seconds=1))
    assert shown is not None
    assert shown.status == c.Status.AWAITING_EMAIL_CONFIRMATION.value
    assert shown.deadline == (SENT + timedelta(seconds=WINDOW)).isoformat()


def test_a_decoy_after_a_slow_vies_shows_the_check_pending_first() -> None:
    """Had VIES been slow for a free address, its page would say "checking" first: a decoy
    that said "awaiting confirmation" at once would tell the address was registered."""
    registration_id = decoy.new_id(SECRET, SENT, checking=True)
    pending = decoy.view(SECRET, registration_id, WINDOW, now=SENT + timedelta(seconds=5))
    assert pending is not None
    assert (pending.status, pending.deadline) == (c.Status.VERIFYING_VAT.value, None)
    later = decoy.view(SECRET, registration_id, WINDOW, now=SENT + decoy.CHECKING_PERIOD)
    assert later is not None and later.status == c.Status.AWAITING_EMAIL_CONFIRMATION.value
    assert later.deadline == (SENT + timedelta(seconds=WINDOW)).isoformat()  # from sending
    assert [step.status for step in later.steps] == [
        c.Status.VERIFYING_VAT.value,
        c.Status.AWAITING_EMAIL_CONFIRMATION.value,
    ]


def test_a_decoy_expires_when_the_window_ends() -> None:
    shown = decoy.view(
        SECRET, decoy.new_id(SECRET, SENT, checking=True), WINDOW, now=SENT + timedelta(days=3)
    )
    assert shown is not None and shown.status == c.Status.EXPIRED.value


def test_a_real_registration_id_is_no_decoy() -> None:
    assert decoy.view(SECRET, "0123456789abcdef", WINDOW) is None
