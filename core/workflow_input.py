"""A registration record as its workflow's input: the web app starts it, the worker's sweep
starts what the web app could not."""

from __future__ import annotations

from core.config import Settings
from core.models import Registration
from workflows import contracts as c


def workflow_input(reg: Registration, settings: Settings) -> c.RegistrationInput:
    return c.RegistrationInput(
        registration_id=reg.id,
        **{name: getattr(reg, name) for name in c.COMPANY_FIELDS},
        user_type=reg.user_type,
        adopted_address=reg.adopted_address or "",
        confirmation_window_seconds=settings.confirmation_window,
        review_sla_seconds=settings.review_sla,
        vies_retry_horizon_seconds=settings.vies_retry_horizon,
        # 12 h of 48 h; a short demo window (CONFIRMATION_WINDOW=2m) reminds at a quarter.
        reminder_before_expiry_seconds=min(12 * 3600, settings.confirmation_window // 4),
        changes_window_seconds=settings.changes_window,
        # Two days before the end of 7; a short window (CHANGES_WINDOW=4m) reminds halfway.
        changes_reminder_before_seconds=min(2 * 86400, settings.changes_window // 2),
    )
