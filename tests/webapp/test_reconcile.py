"""The reconciler (issue 21): a record that disagrees with its workflow for more than a
minute is repaired from the workflow, logged at ERROR with both states, and counted; an
account is never left active without the workflow's approval."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import select
from temporalio.client import Client

from activities.reconcile import Reconciler
from core.models import Account, Registration
from tests.webapp.test_admin_decisions import APPLICANT, in_review


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counter:
    def __init__(self) -> None:
        self.total = 0

    def add(self, value: int, additional_attributes: object = None) -> None:
        self.total += value


def _tamper(app: Flask, **values: object) -> None:
    with app.extensions["aos_sessions"].begin() as session:
        reg = session.scalars(select(Registration)).one()
        for name, value in values.items():
            setattr(reg, name, value)
        if values.get("status") == "APPROVED":
            session.add(Account(email=reg.email, password_hash="x", registration_id=reg.id))


def _state(app: Flask) -> tuple[Registration, list[bool]]:
    with app.extensions["aos_sessions"]() as session:
        reg = session.scalars(select(Registration)).one()
        active = list(session.scalars(select(Account.active).where(Account.email == APPLICANT)))
        return reg, active


def _reconciler(app: Flask, loop_thread, clock: Clock, counter: Counter) -> Reconciler:  # type: ignore[no-untyped-def]
    address = app.config["SETTINGS"].temporal_address
    client = loop_thread.run(Client.connect(address))
    return Reconciler(client, app.extensions["aos_sessions"], counter, clock=clock)


def test_a_record_ahead_of_its_workflow_is_repaired_after_a_minute(
    web, mailbox, loop_thread, caplog
):
    in_review(web, mailbox)
    # As a lost task would have left it: approved, an active account, no approval in history.
    _tamper(web, status="APPROVED", open_email=None)
    clock, counter = Clock(), Counter()
    reconciler = _reconciler(web, loop_thread, clock, counter)

    assert loop_thread.run(reconciler.reconcile_once()) == 0  # seen once: may be a lag
    clock.now += 30
    assert loop_thread.run(reconciler.reconcile_once()) == 0
    assert _state(web)[0].status == "APPROVED"
    clock.now += 31
    caplog.set_level(logging.ERROR, logger="aos.worker.reconcile")
    assert loop_thread.run(reconciler.reconcile_once()) == 1

    reg, active = _state(web)
    assert reg.status == "AWAITING_REVIEW"
    assert reg.open_email == APPLICANT  # the address is taken again by the open registration
    assert active == [False]
    assert counter.total == 1
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "the record says APPROVED, its workflow AWAITING_REVIEW" in line.getMessage()
    assert loop_thread.run(reconciler.reconcile_once()) == 0  # agrees now


def test_a_record_behind_its_workflow_is_repaired_too(web, mailbox, loop_thread):
    """E.g. a database restored to an earlier point while the workflows ran on."""
    in_review(web, mailbox)
    _tamper(web, status="AWAITING_EMAIL_CONFIRMATION", email_confirmed_at=None)
    clock, counter = Clock(), Counter()
    reconciler = _reconciler(web, loop_thread, clock, counter)
    loop_thread.run(reconciler.reconcile_once())
    clock.now += 61
    assert loop_thread.run(reconciler.reconcile_once()) == 1
    reg, _ = _state(web)
    assert reg.status == "AWAITING_REVIEW"
    assert reg.email_confirmed_at is not None
    assert reg.status_deadline is not None
    assert counter.total == 1


def test_a_short_lag_is_not_a_disagreement(web, mailbox, loop_thread):
    in_review(web, mailbox)
    _tamper(web, status="AWAITING_EMAIL_CONFIRMATION")
    clock, counter = Clock(), Counter()
    reconciler = _reconciler(web, loop_thread, clock, counter)
    loop_thread.run(reconciler.reconcile_once())
    _tamper(web, status="AWAITING_REVIEW")  # the activity's write arrives
    clock.now += 120
    assert loop_thread.run(reconciler.reconcile_once()) == 0
    assert counter.total == 0
