"""Create a stored registration and start its workflow the way the web app does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowHandle

from core.models import ChangeRequest, CorrectionAttempt, Registration
from core.passwords import hash_password
from core.workflow_input import workflow_input
from webapp.registration.service import new_registration_id
from workflows import contracts as c

# From the VIES stand-in's sample data.
HU_VAT = "12345676"
HU_NAME = "Kovács és Társa Autójavító Kft."
HU_STREET = "Váci út 22."
HU_POSTCODE = "1132"
HU_CITY = "Budapest"


def make_registration(app, **overrides) -> Registration:  # type: ignore[no-untyped-def]
    fields = dict(
        id=new_registration_id(),
        language="hu",
        user_type=c.UserType.WORKSHOP.value,
        country_code="HU",
        vat_number=HU_VAT,
        company_name=HU_NAME,
        street=HU_STREET,
        postcode=HU_POSTCODE,
        city=HU_CITY,
        billing_street=HU_STREET,
        billing_postcode=HU_POSTCODE,
        billing_city=HU_CITY,
        rep_title="",
        rep_first_name="Péter",
        rep_last_name="Kovács",
        contact_person="Kovács Péter",
        phone="+36 1 234 5678",
        email="peter@kovacs-auto.hu",
        password_hash=hash_password("correct horse battery staple"),
    )
    fields.update(overrides)
    reg = Registration(**fields)
    if "open_email" not in overrides:
        reg.open_email = reg.email  # open, as a registration in progress is
    with app.extensions["aos_sessions"].begin() as session:
        session.add(reg)
    return reg


# Workflows a test started (the ts_env fixture forgets them with its server).
STARTED: list[WorkflowHandle] = []


async def start(client: Client, app, reg: Registration) -> WorkflowHandle:  # type: ignore[no-untyped-def]
    settings = app.config["SETTINGS"]
    handle = await client.start_workflow(
        c.WORKFLOW_NAME,
        workflow_input(reg, settings),
        id=c.workflow_id_for(reg.id),
        task_queue=settings.temporal_task_queue,
    )
    STARTED.append(handle)
    return handle


async def wait_for_status(
    handle: WorkflowHandle, status: c.Status, timeout: float = 20.0
) -> c.StatusView:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view = await handle.query(c.QUERY_STATUS, result_type=c.StatusView)
        if view.status == status:
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {view.status}, expected {status}")
        await asyncio.sleep(0.1)


async def wait_for_record(
    app,  # type: ignore[no-untyped-def]
    registration_id: str,
    fact: Callable[[Registration], bool],
    timeout: float = 20.0,
) -> Registration:
    """The registration's record once `fact` holds. The workflow's status changes before
    the activity writing the record has run, so a test asserting on the database waits
    for the database, not for the status query."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with app.extensions["aos_sessions"]() as session:
            record = session.get(Registration, registration_id)
        if record is not None and fact(record):
            return record
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the record of {registration_id} never got there")
        await asyncio.sleep(0.1)


HOURS_48 = timedelta(hours=48)


def add_corrected_round(  # type: ignore[no-untyped-def]
    app, registration_id: str, message: str, at: datetime, requested_by: str = "admin@aos.test"
) -> None:
    """A round of "Ask for changes" for the phone number, corrected by one attempt, as the
    workflow's activities record it."""
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            ChangeRequest(
                registration_id=registration_id,
                round=1,
                requested_at=at - timedelta(days=7),
                requested_by=requested_by,
                groups=["phone"],
                message=message,
                deadline=at,
                before={"phone": "+36 1 234 567"},
                after={"phone": "+36 1 234 5678"},
                corrected_at=at - timedelta(days=1),
            )
        )
        session.add(
            CorrectionAttempt(
                id=uuid.uuid4().hex,
                registration_id=registration_id,
                round=1,
                values={"phone": "+36 1 234 5678"},
                outcome="accepted",
            )
        )
