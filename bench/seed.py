"""`--open K` at 10,000: K registrations stored and started the way the worker's sweep
starts them (the record first, then the workflow), without K argon2 hashes over HTTP, which
would take hours on 2 cores. Their workflows then do what every registration does: the VAT
check, the confirmation email, and the wait on the 48-hour timer."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from temporalio.client import Client

from bench.drive import COMPANY
from bench.stack import Stack
from core.config import load_settings
from core.models import REGISTRATION_FIELDS, Registration
from core.passwords import hash_password
from core.workflow_input import workflow_input
from workflows import contracts as c
from workflows.starting import registration_start

BATCH = 500
IN_FLIGHT = 32


def _rows(emails: list[str]) -> list[Registration]:
    password_hash = hash_password(COMPANY["password"])  # one hash serves all
    form = {**COMPANY, "country_code": COMPANY["country"]}
    values = {name: str(form.get(name, "")) for name in REGISTRATION_FIELDS if name != "email"}
    return [
        Registration(
            id=secrets.token_hex(8),  # the web app's id shape: opaque, no personal data
            language="en",
            password_hash=password_hash,
            email=email,
            open_email=email,
            **values,
        )
        for email in emails
    ]


async def _start_all(stack: Stack, inputs: list[c.RegistrationInput]) -> None:
    client = await Client.connect(stack.temporal_address)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def start(reg: c.RegistrationInput) -> None:
        async with gate:
            await client.start_workflow(
                c.WORKFLOW_NAME,
                reg,
                task_queue=stack.env["TEMPORAL_TASK_QUEUE"],
                **registration_start(reg),
            )

    await asyncio.gather(*(start(reg) for reg in inputs))


def seed_open(stack: Stack, emails: list[str]) -> None:
    settings = load_settings(stack.env)
    engine = create_engine(stack.env["DATABASE_URL"])
    inputs = []
    for first in range(0, len(emails), BATCH):
        rows = _rows(emails[first : first + BATCH])
        with Session(engine) as session:
            session.add_all(rows)
            session.commit()
            inputs += [workflow_input(reg, settings) for reg in rows]
    engine.dispose()
    asyncio.run(_start_all(stack, inputs))
