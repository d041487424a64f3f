"""Issue 24 finding 2: the "already registered" decoy cannot be told from a new registration
by its link (the token's shape and size) nor by what "Send again" does (counted, not timed:
the time itself is measured in `make bench`, never asserted)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from core.models import OutboxMessage
from core.tokens import registration_from_status, status_token
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_portal import MOTORCYCLE, make_applicant
from webapp.registration import decoy
from webapp.registration.service import new_registration_id
from workflows import contracts as c

SECRET = "a-test-secret-key"
HEX16 = re.compile(r"[0-9a-f]{16}")


def test_a_decoy_id_and_token_have_the_shape_and_size_of_a_real_one() -> None:
    for checking in (False, True):
        fake, real = decoy.new_id(SECRET, checking=checking), new_registration_id()
        assert HEX16.fullmatch(fake) and HEX16.fullmatch(real)
        assert len(status_token(SECRET, fake)) == len(status_token(SECRET, real)) == 52
        assert registration_from_status(SECRET, status_token(SECRET, fake)) == fake


def test_the_decoy_id_keeps_its_moment_and_its_checking_bit_for_the_key_holder_only() -> None:
    sent = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    fake = decoy.new_id(SECRET, sent, checking=True)
    assert decoy.created_at(SECRET, fake) == sent and decoy.is_checking(SECRET, fake)
    assert not decoy.is_checking(SECRET, decoy.new_id(SECRET, sent))
    assert decoy.created_at("another-key", fake) is None  # nothing readable without the key
    # Two decoys of the same second share no visible part (no timestamp in clear).
    assert decoy.new_id(SECRET, sent)[:8] != decoy.new_id(SECRET, sent, checking=True)[:8]


def test_random_real_ids_do_not_read_as_decoys() -> None:
    assert not [
        i for i in (new_registration_id() for _ in range(5000)) if decoy.created_at(SECRET, i)
    ]


class Work:
    """What a request does: its SQL statements on the registrations table and its Temporal
    round trips (each through the bridge's one entry point)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.sql: list[str] = []
        self.temporal: list[str] = []
        bridge = app.extensions["aos_temporal"]
        engine = app.extensions["aos_sessions"].kw["bind"]
        event.listen(engine, "before_cursor_execute", self._statement)
        run = bridge.run

        def counted(coro, timeout=None):  # type: ignore[no-untyped-def]
            self.temporal.append(coro.__qualname__)
            return run(coro, timeout)

        bridge.run = counted

    def _statement(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if re.search(r"\b(registrations|outbox_messages)\b", statement):
            self.sql.append(" ".join(statement.split()))

    def during(self, action):  # type: ignore[no-untyped-def]
        self.sql.clear()
        self.temporal.clear()
        result = action()
        return result, len(self.sql), len(self.temporal)


def _wait_until_delivered(app) -> None:  # type: ignore[no-untyped-def]
    """Until every stored email is delivered, so none is sent during a measured request."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with app.extensions["aos_sessions"]() as session:
            waiting = select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
            if session.scalar(waiting) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("emails still waiting after 15 s")


def _queueing(statements: list[str]) -> list[tuple[str, str]]:
    """The first four statements and whether the row was then marked started; the delivery
    of the resent email (it may begin in between) left out."""

    def shape(statement: str) -> tuple[str, str]:
        table = (
            "outbox_messages"
            if "outbox_messages" in statement.split("WHERE")[0]
            else "registrations"
        )
        return statement.split()[0], table

    kept = [s for s in statements if "sent_at=" not in s]
    marked = (
        [("UPDATE", "workflow_started")] if any("SET workflow_started" in s for s in kept) else []
    )
    return [shape(s) for s in kept[:4]] + marked


def _resend(work: Work, client, location: str):  # type: ignore[no-untyped-def]
    """The page after "Send again", and the work the POST alone did."""
    _wait_until_delivered(client.application)  # no earlier email's delivery in between
    token = csrf_token(client, location)
    answer, sql, calls = work.during(
        lambda: client.post(f"{location}/resend", data={"csrf_token": token})
    )
    assert answer.status_code == 302
    return client.get(answer.headers["Location"]).get_data(as_text=True), sql, calls


def test_send_again_does_the_same_work_for_a_decoy_as_for_a_real_registration(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    make_applicant(web, MOTORCYCLE)  # the decoy's address; the real one is another
    work = Work(web)
    real, fake = web.test_client(), web.test_client()
    real_location = submit(real, lang="en").headers["Location"]
    mailbox.wait_for("peter@kovacs-auto.hu")
    fake_location = submit(fake, lang="en", email=MOTORCYCLE).headers["Location"]
    assert len(real_location) == len(fake_location)  # the links themselves

    real_page, real_sql, real_calls = _resend(work, real, real_location)
    fake_page, fake_sql, fake_calls = _resend(work, fake, fake_location)
    # Both inside the cool-down: the same answer, after the same work.
    assert "We sent the email only a moment ago" in real_page
    assert "We sent the email only a moment ago" in fake_page
    assert fake_sql == real_sql == 1  # the record looked up in both
    assert fake_calls == real_calls == 1  # one round trip through Temporal in both


def test_outside_the_cool_down_the_decoy_does_the_work_of_queueing_an_email(
    web, mailbox, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A real resend then stores the email and starts its delivery in the worker; the decoy's
    round trip runs the same statements and server call, storing nothing."""
    monkeypatch.setattr(c, "RESEND_COOLDOWN_SECONDS", 0)
    make_applicant(web, MOTORCYCLE)  # the decoy's address; the real one is another
    work = Work(web)
    real, fake = web.test_client(), web.test_client()
    real_location = submit(real, lang="en").headers["Location"]
    mailbox.wait_for("peter@kovacs-auto.hu")
    fake_location = submit(fake, lang="en", email=MOTORCYCLE).headers["Location"]
    with web.extensions["aos_sessions"]() as session:
        stored = session.scalar(select(func.count(OutboxMessage.id)))

    real_page, _, real_calls = _resend(work, real, real_location)
    real_shape = _queueing(work.sql)
    mailbox.wait_for("peter@kovacs-auto.hu", 2)  # the resent email
    fake_page, _, fake_calls = _resend(work, fake, fake_location)
    fake_shape = _queueing(work.sql)
    taken_back = [s for s in work.sql if s.startswith("DELETE FROM outbox_messages")]
    assert "We have sent the confirmation email again" in real_page
    assert "We have sent the confirmation email again" in fake_page
    assert fake_calls == real_calls == 1
    # The record's lookup; the email's first transaction (its row looked for, the record
    # read, the row stored: for the decoy, counted); then the row marked started.
    assert real_shape == [
        ("SELECT", "registrations"),
        ("SELECT", "outbox_messages"),
        ("SELECT", "registrations"),
        ("INSERT", "outbox_messages"),
        ("UPDATE", "workflow_started"),
    ]
    assert fake_shape == real_shape and len(taken_back) == 1  # deleted in the same transaction
    with web.extensions["aos_sessions"]() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == stored + 1  # the real one


def test_the_status_page_asks_temporal_as_often_for_a_decoy(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    make_applicant(web, MOTORCYCLE)  # the decoy's address; the real one is another
    work = Work(web)
    real, fake = web.test_client(), web.test_client()
    real_location = submit(real, lang="en").headers["Location"]
    fake_location = submit(fake, lang="en", email=MOTORCYCLE).headers["Location"]
    _wait_until_delivered(web)
    real_page, real_sql, real_calls = work.during(lambda: real.get(real_location))
    fake_page, fake_sql, fake_calls = work.during(lambda: fake.get(fake_location))
    assert real_page.status_code == fake_page.status_code == 200
    assert fake_calls == real_calls == 1  # the workflow's status, answered by the worker
    assert fake_sql == real_sql >= 1
