"""One open registration per email address, enforced by the database even when submissions
arrive at the same moment (on PostgreSQL under .ci/run: the partial unique index)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from core.models import Registration
from tests.workflows.helpers import make_registration
from webapp.registration.service import new_registration_id, store_registration

RACERS = 8


def test_concurrent_submissions_leave_one_open_registration(app) -> None:  # type: ignore[no-untyped-def]
    template = make_registration(app, email="first@aos.test")  # another address, unaffected
    fields = {
        column.key: getattr(template, column.key)
        for column in Registration.__table__.columns
        if column.key not in {"id", "open_email", "created_at", "updated_at"}
    }
    fields["email"] = "race@kovacs-auto.hu"
    sessions = app.extensions["aos_sessions"]
    start = threading.Barrier(RACERS)
    results: list[bool] = []
    lock = threading.Lock()

    def submit() -> None:
        reg = Registration(**{**fields, "id": new_registration_id()})
        with sessions() as session:
            start.wait(timeout=10)
            stored = store_registration(session, reg)
        with lock:
            results.append(stored)

    threads = [threading.Thread(target=submit) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * (RACERS - 1) + [True]
    with sessions() as session:
        count = session.scalar(
            select(func.count()).where(Registration.open_email == "race@kovacs-auto.hu")
        )
    assert count == 1


def test_an_ended_registration_frees_the_address(app) -> None:  # type: ignore[no-untyped-def]
    first = make_registration(app, email="again@aos.test")
    sessions = app.extensions["aos_sessions"]
    with sessions.begin() as session:
        session.get(Registration, first.id).open_email = None  # what the workflow does at the end
    second = make_registration(app, id=new_registration_id(), email="again@aos.test")
    with sessions() as session:
        assert session.get(Registration, second.id).open_email == "again@aos.test"
