"""The console's one snapshot of a registration (webapp/admin/snapshot.py): the workflow's
view when Temporal answers, else the stored record, decided once; and the timeline built
from it without Flask (webapp/admin/timeline.py), in the caller's words."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from core.emails import translations
from core.models import AuditEntry, ChangeRequest, CorrectionAttempt, SentEmail
from tests.test_architecture import _flask_imports, _reached, graph, our_modules
from tests.webapp.test_admin_auth import make_console_account
from tests.webapp.test_admin_queue import registration
from webapp.admin.snapshot import registration_snapshot
from webapp.admin.timeline import timeline
from webapp.temporal_bridge import TemporalUnavailable
from workflows import contracts as c

NOW = datetime.now(UTC).replace(microsecond=0)
ASKED = NOW - timedelta(hours=2)


class AnsweringBridge:
    """The workflow's status Query answered with `view`."""

    def __init__(self, view: c.StatusView) -> None:
        self.view = view
        self.asked = 0

    def status(self, registration_id: str) -> c.StatusView:
        self.asked += 1
        return self.view


class SilentBridge:
    def __init__(self) -> None:
        self.asked = 0

    def status(self, registration_id: str) -> c.StatusView:
        self.asked += 1
        raise TemporalUnavailable("Temporal is down in this test")


def _english(message: str) -> str:
    return message


def _status_word(status: str) -> str:
    return f"<{status}>"


@pytest.fixture
def app(app_env, make_app):  # type: ignore[no-untyped-def]
    return make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})


@pytest.fixture
def reviewer_id(app: Flask) -> str:
    return str(make_console_account(app, "reviewer@aos.test").id)


def _in_changes(app: Flask) -> str:
    """A registration whose record still says AWAITING_REVIEW with one round corrected,
    while its workflow has moved on to a second request for changes."""
    reg_id = registration(
        app,
        "Kovács és Társa Autójavító Kft.",
        workflow_started=True,
        created_at=NOW - timedelta(days=2),
        email_confirmed_at=NOW - timedelta(days=1),
        status_deadline=NOW + timedelta(days=1),
    )
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            ChangeRequest(
                registration_id=reg_id,
                round=1,
                requested_at=NOW - timedelta(hours=20),
                requested_by="reviewer@aos.test",
                groups=["phone"],
                message="Please give the direct line.",
                deadline=NOW + timedelta(days=6),
                before={"phone": "+36 1 234 5678"},
                after={"phone": "+36 30 765 4321"},
                corrected_at=NOW - timedelta(hours=10),
            )
        )
        session.add(
            CorrectionAttempt(
                id=uuid.uuid4().hex,
                registration_id=reg_id,
                round=1,
                submitted_at=NOW - timedelta(hours=12),
                values={"phone": "+36 1 999 9999"},
                outcome="vat_mismatch",
                vies_result={"valid": True, "fields": [{"field": "postcode", "matches": False}]},
            )
        )
        session.add(
            AuditEntry(
                actor="reviewer@aos.test",
                action="registration.changes_requested",
                registration_id=reg_id,
                at=NOW - timedelta(hours=20),
            )
        )
        session.add(
            SentEmail(
                message_id="<m1@aos.test>",
                registration_id=reg_id,
                kind=c.EmailKind.CHANGES_REQUESTED,
                recipient="kovacs@example.hu",
                subject="Changes",
                accepted_at=NOW - timedelta(hours=20),
            )
        )
    return reg_id


def _view(reg_id: str, reviewer_id: str, **fields) -> c.StatusView:  # type: ignore[no-untyped-def]
    values = {
        "registration_id": reg_id,
        "status": c.Status.CHANGES_REQUESTED.value,
        "deadline": (ASKED + timedelta(days=7)).isoformat(),
        "steps": [
            c.Step(c.Status.AWAITING_REVIEW.value, (NOW - timedelta(days=1)).isoformat()),
            c.Step(c.Status.CHANGES_REQUESTED.value, ASKED.isoformat()),
        ],
        "email_confirmed_at": (NOW - timedelta(days=1, minutes=5)).isoformat(),
        "changes": c.ChangesView(
            round=2,
            groups=["address"],
            message="The postcode does not match.",
            requested_at=ASKED.isoformat(),
            deadline=(ASKED + timedelta(days=7)).isoformat(),
            requested_by=reviewer_id,
        ),
        "corrections": 1,
        **fields,
    }
    return c.StatusView(**values)


def _snapshot(app: Flask, reg_id: str, bridge):  # type: ignore[no-untyped-def]
    from core.models import Registration

    # Closed at once: an open session here left its PostgreSQL connection to the collector.
    with app.extensions["aos_sessions"]() as session:
        return registration_snapshot(session, bridge, session.get(Registration, reg_id))


def test_the_workflow_view_wins_when_temporal_answers(app, reviewer_id):
    reg_id = _in_changes(app)
    bridge = AnsweringBridge(_view(reg_id, reviewer_id))
    snap = _snapshot(app, reg_id, bridge)

    assert bridge.asked == 1  # the workflow is asked once per snapshot
    assert not snap.workflow_silent
    assert snap.status == "CHANGES_REQUESTED"  # the record still says AWAITING_REVIEW
    assert snap.deadline == ASKED + timedelta(days=7)
    assert snap.email_confirmed_at == NOW - timedelta(days=1, minutes=5)
    assert [s.status for s in snap.steps] == ["AWAITING_REVIEW", "CHANGES_REQUESTED"]
    # The second round is not in the record yet: the workflow's, its author by email.
    asked = snap.asked
    assert asked is not None
    assert (asked.round, asked.groups, asked.requested_by) == (2, ["address"], "reviewer@aos.test")
    assert asked.refused == 0  # the refused correction was in round 1
    assert not snap.can_decide and not snap.decision_in_progress


def test_the_record_when_temporal_is_down(app, reviewer_id):
    reg_id = _in_changes(app)
    bridge = SilentBridge()
    snap = _snapshot(app, reg_id, bridge)

    assert bridge.asked == 1
    assert snap.workflow_silent and snap.view is None
    assert snap.status == "AWAITING_REVIEW"
    assert snap.deadline == NOW + timedelta(days=1)
    assert snap.email_confirmed_at == NOW - timedelta(days=1)
    assert snap.steps == []  # the record knows no steps before a decision
    assert snap.asked is None  # no open round in the record
    assert [r.round for r in snap.changes.corrected] == [1]
    assert snap.can_decide  # in review by the record, nobody answered yet


def test_a_never_started_workflow_is_not_asked(app):
    reg_id = registration(app, "Müller GmbH", country_code="DE", workflow_started=False)
    bridge = SilentBridge()
    snap = _snapshot(app, reg_id, bridge)
    assert bridge.asked == 0 and not snap.workflow_silent and snap.status == "AWAITING_REVIEW"


def test_a_decision_the_workflow_recorded_names_its_reviewer(app, reviewer_id):
    reg_id = _in_changes(app)
    view = _view(
        reg_id,
        reviewer_id,
        status=c.Status.AWAITING_REVIEW.value,
        changes=None,
        decided_by=reviewer_id,
    )
    snap = _snapshot(app, reg_id, AnsweringBridge(view))
    assert snap.decided_by == "reviewer@aos.test"
    assert snap.decision_in_progress and not snap.can_decide
    assert snap.decided_at is None  # the record has not got it yet


def test_the_timeline_tells_the_snapshot_in_the_callers_words(app, reviewer_id):
    reg_id = _in_changes(app)
    snap = _snapshot(app, reg_id, AnsweringBridge(_view(reg_id, reviewer_id)))

    english = [(e.label, e.detail) for e in timeline(snap, _english, _status_word)]
    labels = [label for label, _ in english]
    # The workflow's confirmation time and steps, not the record's.
    assert labels[:3] == ["Registration sent", "Email address confirmed", "<AWAITING_REVIEW>"]
    assert labels[-1] == "<CHANGES_REQUESTED>"
    assert ("Request for changes emailed", "kovacs@example.hu <m1@aos.test>") in english
    assert (
        "Changes asked (round 1): Phone",
        "reviewer@aos.test: Please give the direct line.",
    ) in english
    assert ("Correction refused: VIES does not confirm it (round 1)", "Postcode") in english
    assert ("Corrected by the applicant (round 1)", "Phone") in english
    # The round tells the request itself: its audit entry is not told twice.
    assert "Changes asked" not in labels

    hungarian = [e.label for e in timeline(snap, translations("hu").gettext, _status_word)]
    assert "Módosítás kérve (1. kör): Telefonszám" in hungarian
    assert "E-mail-cím megerősítve" in hungarian


def test_the_cli_shows_the_record_when_temporal_is_down(app):
    reg_id = _in_changes(app)
    shown = app.test_cli_runner().invoke(args=["registrations", "show", reg_id])
    assert shown.exit_code == 0, shown.output
    assert "(Temporal did not answer: the timeline shows the stored record only.)" in shown.output
    assert "Status:          AWAITING_REVIEW" in shown.output
    assert "Changes asked (round 1): Phone" in shown.output
    assert "Correction refused: VIES does not confirm it (round 1)  Postcode" in shown.output


def test_the_snapshot_and_the_timeline_reach_no_flask():
    edges, modules = graph(), our_modules()
    for start in ("webapp.admin.snapshot", "webapp.admin.timeline"):
        reached = {m for m in _reached(edges, start) if _flask_imports(modules[m])}
        assert not reached, f"{start} reaches Flask through {sorted(reached)}"
