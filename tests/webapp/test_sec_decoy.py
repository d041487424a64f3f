"""Issue 24 finding 2: the "already registered" decoy cannot be told from a new registration
by its link (the token's shape and size) nor by what "Send again" does (counted, not timed:
the time itself is measured in `make bench`, never asserted)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import event

from core.tokens import registration_from_status, status_token
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_portal import WORKSHOP, make_applicant
from webapp.registration import decoy
from webapp.registration.service import new_registration_id

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
        if "FROM registrations" in statement and statement.lstrip().startswith("SELECT"):
            self.sql.append(statement)

    def during(self, action):  # type: ignore[no-untyped-def]
        self.sql.clear()
        self.temporal.clear()
        result = action()
        return result, len(self.sql), len(self.temporal)


def _resend(work: Work, client, location: str):  # type: ignore[no-untyped-def]
    """The page after "Send again", and the work the POST alone did."""
    token = csrf_token(client, location)
    answer, sql, calls = work.during(
        lambda: client.post(f"{location}/resend", data={"csrf_token": token})
    )
    assert answer.status_code == 302
    return client.get(answer.headers["Location"]).get_data(as_text=True), sql, calls


def test_send_again_does_the_same_work_for_a_decoy_as_for_a_real_registration(web, mailbox) -> None:  # type: ignore[no-untyped-def]
    make_applicant(web, WORKSHOP)
    work = Work(web)
    real, fake = web.test_client(), web.test_client()
    real_location = submit(real, lang="en").headers["Location"]
    mailbox.wait_for("peter@kovacs-auto.hu")
    fake_location = submit(fake, lang="en", email=WORKSHOP).headers["Location"]
    assert len(real_location) == len(fake_location)  # the links themselves

    real_page, real_sql, real_calls = _resend(work, real, real_location)
    fake_page, fake_sql, fake_calls = _resend(work, fake, fake_location)
    # Both inside the cool-down: the same answer, after the same work.
    assert "We sent the email only a moment ago" in real_page
    assert "We sent the email only a moment ago" in fake_page
    assert fake_sql == real_sql >= 1  # the record looked up in both
    assert fake_calls == real_calls == 1  # one round trip through Temporal in both
