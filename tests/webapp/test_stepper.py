"""The status page's stepper: the whole path, done, now and still to come."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from webapp.registration.stepper import build_stages
from workflows import contracts as c

AT = "2026-12-04T02:46:00+00:00"


@pytest.fixture
def ctx(app_env, make_app):  # type: ignore[no-untyped-def]
    app = make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    with app.test_request_context("/?lang=en"):
        yield


def states(status: str, steps=(), corrections: int = 0, ran_out: bool = False):  # type: ignore[no-untyped-def]
    stages = build_stages(status, list(steps), corrections, ran_out, lambda d: d.isoformat())
    return [(s.kind, s.state) for s in stages], stages


def test_waiting_for_the_email_shows_what_is_done_and_what_is_to_come(ctx) -> None:  # type: ignore[no-untyped-def]
    steps = [c.Step(c.Status.VERIFYING_VAT, AT), c.Step(c.Status.AWAITING_EMAIL_CONFIRMATION, AT)]
    shown, stages = states(c.Status.AWAITING_EMAIL_CONFIRMATION, steps)
    assert shown == [
        ("vat", "done"),
        ("email", "current"),
        ("review", "todo"),
        ("activation", "todo"),
    ]
    assert stages[0].at == datetime(2026, 12, 4, 2, 46, tzinfo=UTC)  # when the check ended
    assert [s.state_word for s in stages] == ["Done", "Now", "Still to come", "Still to come"]


def test_without_the_workflow_the_path_comes_from_the_status(ctx) -> None:  # type: ignore[no-untyped-def]
    assert states(c.Status.AWAITING_REVIEW, corrections=1)[0] == [
        ("vat", "done"), ("email", "done"), ("review", "done"), ("changes", "done"),
        ("review", "current"), ("activation", "todo"),
    ]  # fmt: skip
    assert states(c.Status.CHANGES_REQUESTED)[0][-3:] == [
        ("changes", "current"), ("review", "todo"), ("activation", "todo"),
    ]  # fmt: skip
    assert states(c.Status.APPROVED)[0][-1] == ("activation", "done")


def test_a_stop_says_where_and_what_was_not_reached(ctx) -> None:  # type: ignore[no-untyped-def]
    assert states(c.Status.VAT_MISMATCH)[0] == [
        ("vat", "failed"), ("email", "not_reached"), ("review", "not_reached"),
        ("activation", "not_reached"),
    ]  # fmt: skip
    assert states(c.Status.EXPIRED)[0][1] == ("email", "failed")
    assert states(c.Status.EXPIRED, ran_out=True)[0][3] == ("changes", "failed")
    assert states(c.Status.REJECTED)[0][2:] == [("review", "failed"), ("activation", "not_reached")]


def test_the_status_page_draws_the_stepper_with_the_deadline_on_the_current_step(web, mailbox):  # type: ignore[no-untyped-def]
    from tests.webapp.conftest import submit

    client = web.test_client()
    sent = submit(client, lang="hu")
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    stepper = re.search(r'<ol class="stepper".*?</ol>', page, re.S).group(0)
    current = re.findall(r'<li [^>]*aria-current="step"[^>]*>.*?</li>', stepper, re.S)
    assert len(current) == 1 and 'data-stage="email"' in current[0]
    assert "Most" in current[0] and 'class="deadline"' in current[0]  # the deadline is here
    assert stepper.count("<li ") == 4 and "Még hátravan" in stepper and "Kész" in stepper
