"""Starting registrations: the record first, then the workflow, so a Temporal outage
never loses what the applicant sent."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import REGISTRATION_FIELDS, Account, Registration
from core.workflow_input import workflow_input
from webapp.mailer import queue_email
from webapp.ratelimit import allow
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable
from workflows import contracts as c

log = logging.getLogger(__name__)


def new_registration_id() -> str:
    return secrets.token_hex(8)


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


# How long "Send Registration" waits for the VIES answer before showing the status page.
VAT_WAIT_SECONDS = 8.0
# A slow VIES must not hold every web thread: at most half of a process's threads wait
# for its answer at once; a request finding no free slot starts the workflow without
# waiting and shows the status page ("checking"), which the applicant reloads.
VAT_WAITERS = threading.BoundedSemaphore(max(1, int(os.environ.get("GUNICORN_THREADS", "4")) // 2))


@dataclass
class Submission:
    # "taken": the address has an open registration or an account (the owner is told);
    # "mismatch": VIES answered and the data do not match (for a taken address too, then
    # without a registration: answer_taken); "started": on its way;
    # "stored": kept, Temporal was unreachable (started later).
    outcome: str
    registration: Registration | None = None
    view: c.StatusView | None = None
    # "taken" while VIES had not answered: the decoy shows the check as pending, as a new
    # registration's page would.
    vat_pending: bool = False


def submit_registration(
    session: Session,
    bridge: TemporalBridge,
    settings: Settings,
    fields: dict[str, Any],
    password_hash: str,
    language: str,
) -> Submission:
    """ "Send Registration": store, start the workflow, wait briefly for the VIES answer."""
    email = fields["email"].strip().lower()
    if address_is_taken(session, email):
        return answer_taken(session, bridge, settings, fields, email, language)
    values = {name: (fields.get(name) or "").strip() for name in REGISTRATION_FIELDS}
    values["email"] = email
    reg = Registration(
        id=new_registration_id(),
        language=language,
        password_hash=password_hash,
        adopted_address=fields.get("adopted_address") or None,
        **values,
    )
    if not store_registration(session, reg):
        return answer_taken(session, bridge, settings, fields, email, language)
    try:
        view = start_and_wait(bridge, settings, reg)
    except TemporalUnavailable as err:
        log.warning("Temporal unavailable, registration %s kept for later: %s", reg.id, err)
        return Submission("stored", reg)
    if view is not None and view.status == c.Status.VAT_MISMATCH:
        return Submission("mismatch", reg, view)
    return Submission("started", reg, view)


def answer_taken(
    session: Session,
    bridge: TemporalBridge,
    settings: Settings,
    fields: dict[str, Any],
    email: str,
    language: str,
) -> Submission:
    """A taken address is answered as a free one would be (ASVS V6.3.8): the VIES check
    first, its mismatch page if the data do not match; otherwise the decoy status page,
    and the owner hears of it. Nothing is stored and no one else is mailed."""
    vat = check_vat_only(bridge, fields)
    if vat is not None and not (vat.valid and vat.matches):
        view = c.StatusView(
            registration_id="",
            status=c.Status.VAT_MISMATCH.value,
            deadline=None,
            steps=[],
            vat_result=vat,
        )
        return Submission("mismatch", view=view)
    tell_owner(session, bridge, settings, email, language)
    return Submission("taken", vat_pending=vat is None)


def check_vat_only(
    bridge: TemporalBridge, fields: dict[str, Any], seconds: float = VAT_WAIT_SECONDS
) -> c.VatCheckResult | None:
    """The VIES answer for data sent with a taken address, within the same bounded wait
    and waiting slots as a registration's; None when VIES is slow or Temporal is down
    (the decoy is shown, as a slow VIES shows the status page)."""
    req = c.VatCheckRequest(
        registration_id=new_registration_id(),  # opaque, never stored
        adopted_address=fields.get("adopted_address") or "",
        **{name: (fields.get(name) or "").strip() for name in c.COMPANY_FIELDS},
    )
    if not VAT_WAITERS.acquire(blocking=False):
        return None
    try:
        return bridge.check_vat_only(req, seconds)
    except TemporalUnavailable as err:
        log.warning("Temporal unavailable for a taken address's VAT check: %s", err)
        return None
    finally:
        VAT_WAITERS.release()


def tell_owner(
    session: Session, bridge: TemporalBridge, settings: Settings, email: str, language: str
) -> None:
    """The "someone tried to register your address" email, at most once an hour per
    address: repeated attempts must not turn the form into a mail bomb."""
    if allow(session, settings.secret_key, [("already-registered", email, 1)]):
        queue_email(session, bridge, kind="already_registered", recipient=email, language=language)


def start_and_wait(
    bridge: TemporalBridge, settings: Settings, reg: Registration, seconds: float = VAT_WAIT_SECONDS
) -> c.StatusView | None:
    """Start the workflow and, if a waiting slot is free, wait for the VIES answer in the
    same call (no polling). None when VIES is still being asked. The workflow marks the
    record started itself (record_status), so the worker's sweep never starts it twice."""
    if not VAT_WAITERS.acquire(blocking=False):
        bridge.start_registration(workflow_input(reg, settings))
        return None
    try:
        return bridge.start_and_await_vat(workflow_input(reg, settings), seconds)
    finally:
        VAT_WAITERS.release()
