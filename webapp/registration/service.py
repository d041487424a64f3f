"""Starting registrations: the record first, then the workflow, so a Temporal outage
never loses what the applicant sent."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.config import Settings
from webapp.models import Account, Registration
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable
from workflows import contracts as c

log = logging.getLogger(__name__)


def new_registration_id() -> str:
    return secrets.token_hex(8)


def workflow_input(reg: Registration, settings: Settings) -> c.RegistrationInput:
    return c.RegistrationInput(
        registration_id=reg.id,
        country_code=reg.country_code,
        vat_number=reg.vat_number,
        user_type=reg.user_type,
        company_name=reg.company_name,
        street=reg.street,
        postcode=reg.postcode,
        city=reg.city,
        confirmation_window_seconds=settings.confirmation_window,
        review_sla_seconds=settings.review_sla,
        vies_retry_horizon_seconds=settings.vies_retry_horizon,
        # 12 h of 48 h; a short demo window (CONFIRMATION_WINDOW=2m) reminds at a quarter.
        reminder_before_expiry_seconds=min(12 * 3600, settings.confirmation_window // 4),
    )


def address_is_taken(session: Session, email: str) -> bool:
    """An open registration or an account already uses this address."""
    open_reg = session.scalars(select(Registration.id).where(Registration.open_email == email))
    account = session.scalars(select(Account.id).where(Account.email == email))
    return open_reg.first() is not None or account.first() is not None


def store_registration(session: Session, reg: Registration) -> bool:
    """Insert the record; False when the address already has an open registration."""
    reg.open_email = reg.email
    session.add(reg)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def start_workflow(
    session: Session, bridge: TemporalBridge, settings: Settings, reg: Registration
) -> bool:
    """Start (or re-attach to) the registration's workflow; False if Temporal is down.

    Safe to repeat: the workflow id is the registration's, and a second start attaches
    to the running workflow.
    """
    try:
        bridge.start_registration(workflow_input(reg, settings))
    except TemporalUnavailable as err:
        log.warning("Temporal unavailable, registration %s kept for later: %s", reg.id, err)
        return False
    if not reg.workflow_started:
        reg.workflow_started = True
        session.commit()
    return True


def resume_unstarted(session: Session, bridge: TemporalBridge, settings: Settings) -> int:
    """Start the workflows of registrations stored while Temporal was unreachable."""
    pending = session.scalars(
        select(Registration).where(
            Registration.workflow_started.is_(False), Registration.open_email.is_not(None)
        )
    ).all()
    return sum(start_workflow(session, bridge, settings, reg) for reg in pending)
