"""The retention purge against the real database (SQLite, or PostgreSQL via
TEST_DATABASE_URL): what is erased, what stays, and that a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from activities.retention import RetentionActivities
from core.models import (
    Account,
    AuditEntry,
    ChangeRequest,
    CorrectionAttempt,
    LoginSession,
    PersonAction,
    RecoveryCode,
    Registration,
    SentEmail,
    SupportMessage,
    SupportRequest,
)
from core.passwords import hash_password
from tests.workflows.helpers import add_corrected_round, make_registration
from workflows import retention_contracts as rc

NOW = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
DAYS_90 = 90 * 86400
LONG_AGO = NOW - timedelta(days=91)
RECENTLY = NOW - timedelta(days=89)


def purge(app, now: datetime = NOW) -> rc.PurgeResult:  # type: ignore[no-untyped-def]
    activities = RetentionActivities(app.extensions["aos_sessions"])
    request = rc.PurgeRequest(now=now.isoformat(), retention_seconds=DAYS_90)
    return ActivityEnvironment().run(activities.purge_personal_data, request)


def _rejected(app, reg_id: str, when: datetime, email: str = "peter@kovacs-auto.hu"):  # type: ignore[no-untyped-def]
    reg = make_registration(
        app,
        id=reg_id,
        email=email,
        status="REJECTED",
        open_email=None,
        created_at=when - timedelta(days=3),
        updated_at=when,
        decided_at=when,
        decided_by="reviewer@aos.test",
        rejection_reason="Kovács Péter nem a cég képviselője.",
        vies_result={"registered_name": "Kovács és Társa Autójavító Kft."},
    )
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            AuditEntry(
                at=when,
                actor="reviewer@aos.test",
                action="registration.rejected",
                registration_id=reg_id,
                detail="Kovács Péter nem a cég képviselője.",
            )
        )
        session.add(
            SentEmail(
                message_id=f"<{reg_id}@aos.test>",
                registration_id=reg_id,
                kind="rejected",
                recipient=email,
                subject="Elutasított regisztráció",
                accepted_at=when,
            )
        )
    return reg


def _get(app, model, key):  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        row = session.get(model, key)
        session.expunge_all()
        return row


def test_a_rejected_registration_past_the_period_keeps_only_the_statistics(app):
    _rejected(app, "r" + "a" * 15, LONG_AGO)
    result = purge(app)
    assert (result.registrations, result.accounts) == (1, 0)
    reg = _get(app, Registration, "r" + "a" * 15)
    # The non-personal record: country, user type, dates, outcome.
    assert (reg.country_code, reg.user_type, reg.status) == ("HU", "WORKSHOP", "REJECTED")
    assert reg.decided_at is not None and reg.created_at is not None
    assert reg.updated_at.replace(tzinfo=UTC) == LONG_AGO  # when it ended, still there
    assert reg.erased_at is not None
    for name in ("email", "company_name", "vat_number", "street", "phone", "contact_person"):
        assert getattr(reg, name) == "", name
    assert (reg.rep_first_name, reg.rep_last_name, reg.password_hash) == ("", "", "")
    assert reg.rejection_reason is None and reg.vies_result is None
    with app.extensions["aos_sessions"]() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor) == ("registration.rejected", "reviewer@aos.test")
        assert "Kovács" not in entry.detail
        sent = session.scalars(select(SentEmail)).one()
        assert sent.kind == "rejected" and sent.recipient == ""


def test_the_rounds_of_changes_of_an_expired_registration_are_erased(app):
    reg_id = "r" + "c" * 15
    make_registration(
        app,
        id=reg_id,
        status="EXPIRED",
        open_email=None,
        created_at=LONG_AGO - timedelta(days=9),
        updated_at=LONG_AGO,
    )
    add_corrected_round(
        app, reg_id, "Kovács Péter telefonszáma hiányos.", LONG_AGO, "reviewer@aos.test"
    )
    assert purge(app).registrations == 1
    with app.extensions["aos_sessions"]() as session:
        round_ = session.scalars(select(ChangeRequest)).one()
        assert (round_.round, round_.groups) == (1, ["phone"])  # what was asked, not the text
        assert round_.message == "" and round_.before == {} and round_.after == {}
        assert round_.requested_by == "reviewer@aos.test"  # who asked stays, like the audit log
        attempt = session.scalars(select(CorrectionAttempt)).one()
        assert attempt.values == {} and attempt.outcome == "accepted"
    assert purge(app).registrations == 0  # a second run changes nothing


def test_within_the_period_and_approved_registrations_are_left_alone(app):
    _rejected(app, "r" + "b" * 15, RECENTLY)
    make_registration(
        app, id="r" + "c" * 15, status="APPROVED", open_email=None, updated_at=LONG_AGO
    )
    assert purge(app) == rc.PurgeResult(registrations=0, accounts=0)
    assert _get(app, Registration, "r" + "b" * 15).email == "peter@kovacs-auto.hu"
    approved = _get(app, Registration, "r" + "c" * 15)
    assert approved.email == "peter@kovacs-auto.hu" and approved.erased_at is None


def test_a_second_run_changes_nothing(app):
    _rejected(app, "r" + "d" * 15, LONG_AGO)
    assert purge(app).registrations == 1
    first = _get(app, Registration, "r" + "d" * 15)
    later = NOW + timedelta(days=1)
    assert purge(app, later) == rc.PurgeResult(registrations=0, accounts=0)
    again = _get(app, Registration, "r" + "d" * 15)
    assert again.erased_at == first.erased_at and again.updated_at == first.updated_at


def test_a_closed_account_past_the_period_is_erased_but_the_company_kept(app):
    reg_id = "r" + "e" * 15
    make_registration(app, id=reg_id, status="APPROVED", open_email=None, updated_at=LONG_AGO)
    with app.extensions["aos_sessions"].begin() as session:
        account = Account(
            email="peter@kovacs-auto.hu",
            password_hash=hash_password("applicant password 1"),
            company_name="Kovács és Társa Autójavító Kft.",
            registration_id=reg_id,
            active=False,
            closed_at=LONG_AGO,
        )
        session.add(account)
        session.add(
            AuditEntry(
                at=LONG_AGO,
                actor="peter@kovacs-auto.hu",
                action="account.closed",
                registration_id=reg_id,
                detail="peter@kovacs-auto.hu",
            )
        )
        session.flush()
        account_id = account.id
        help_request = SupportRequest(
            reference="S-0001",
            topic="access",
            account_id=account_id,
            name="Kovács Péter",
            email="peter@kovacs-auto.hu",
            phone="+36 1 234 5678",
        )
        help_request.messages.append(
            SupportMessage(
                author="applicant", author_email="peter@kovacs-auto.hu", body="Nem tudok belépni."
            )
        )
        session.add(help_request)
        session.add(
            LoginSession(
                token_hash="f" * 64,
                account_id=account_id,
                role="applicant",
                session_version=1,
                ip="192.0.2.7",
                user_agent="Firefox",
                ended_at=LONG_AGO,
            )
        )
        session.add(
            AuditEntry(
                at=LONG_AGO, actor="peter@kovacs-auto.hu", action="password_reset", detail=""
            )
        )
        session.add(RecoveryCode(account_id=account_id, code_hash="a" * 64))
    assert purge(app) == rc.PurgeResult(registrations=0, accounts=1)
    account = _get(app, Account, account_id)
    assert account.email.endswith("@erased.invalid") and account.password_hash == ""
    assert not account.active and account.erased_at is not None
    reg = _get(app, Registration, reg_id)
    # Kept by law (accounting records of the contract): the company, not the people.
    assert (reg.company_name, reg.vat_number) == ("Kovács és Társa Autójavító Kft.", "12345676")
    assert (reg.email, reg.contact_person, reg.phone, reg.password_hash) == ("", "", "", "")
    with app.extensions["aos_sessions"]() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.action)).all()
        assert [e.action for e in entries] == ["account.closed", "password_reset"]
        assert all("peter@" not in e.detail + e.actor for e in entries)
        assert session.scalars(select(LoginSession)).all() == []
        assert session.scalars(select(RecoveryCode)).all() == []
        kept = session.scalars(select(SupportRequest)).one()
        assert (kept.reference, kept.name, kept.email, kept.phone) == ("S-0001", "", "", "")
        assert [(m.body, m.author_email) for m in kept.messages] == [("", "")]
    assert purge(app) == rc.PurgeResult(registrations=0, accounts=0)


def test_wizard_drafts_abandoned_past_the_period_are_deleted(app):
    from webapp.registration.drafts import RegistrationDraft

    with app.extensions["aos_sessions"].begin() as session:
        session.add(RegistrationDraft(id="d" * 32, data={"email": "a@b.hu"}, updated_at=LONG_AGO))
        session.add(RegistrationDraft(id="e" * 32, data={"email": "c@d.hu"}, updated_at=RECENTLY))
    assert purge(app).drafts == 1
    assert _get(app, RegistrationDraft, "d" * 32) is None
    assert _get(app, RegistrationDraft, "e" * 32) is not None
    assert purge(app).drafts == 0


def test_finished_help_requests_without_an_account_are_erased_after_the_period(app):
    def request(reference: str, status: str, when: datetime) -> SupportRequest:
        return SupportRequest(
            reference=reference,
            topic="registration",
            status=status,
            name="Nagy Éva",
            email="eva@example.hu",
            company="Nagy Autó Bt.",
            created_at=when,
            updated_at=when,
            messages=[SupportMessage(author="applicant", author_email="eva@example.hu", body="?")],
        )

    with app.extensions["aos_sessions"].begin() as session:
        session.add(request("S-OLD", "closed", LONG_AGO))
        session.add(request("S-OPEN", "in_progress", LONG_AGO))  # still being handled
        session.add(request("S-NEW", "answered", RECENTLY))
    assert purge(app).help_requests == 1
    with app.extensions["aos_sessions"]() as session:
        rows = {r.reference: r for r in session.scalars(select(SupportRequest))}
        assert (rows["S-OLD"].email, rows["S-OLD"].company, rows["S-OLD"].status) == (
            "",
            "",
            "closed",
        )
        assert rows["S-OLD"].messages[0].body == ""
        assert rows["S-OPEN"].email == rows["S-NEW"].email == "eva@example.hu"
    assert purge(app).help_requests == 0


def test_the_actions_of_an_erased_registration_keep_only_kind_time_and_outcome(app):
    reg_id = "r" + "d" * 15
    make_registration(
        app,
        id=reg_id,
        status="REJECTED",
        open_email=None,
        created_at=LONG_AGO - timedelta(days=3),
        updated_at=LONG_AGO,
    )
    with app.extensions["aos_sessions"].begin() as session:
        email = session.get(Registration, reg_id).email
        session.add(
            PersonAction(
                id="decide-1",
                registration_id=reg_id,
                kind="decide",
                payload={"approve": False, "decided_by": "7", "reason": "Kovács Péter ..."},
                actor="reviewer@aos.test",
                received_at=LONG_AGO,
                attempts=1,
                applied_at=LONG_AGO,
                result={"value": {"status": "REJECTED", "decided_by": "7"}},
            )
        )
        session.add(
            PersonAction(
                id="confirm-1",
                registration_id=reg_id,
                kind="confirm_email",
                payload={},
                actor=email,
                received_at=LONG_AGO,
                attempts=3,
                last_error="Temporal unavailable",
            )
        )
    assert purge(app).registrations == 1
    with app.extensions["aos_sessions"]() as session:
        decided, confirm = (session.get(PersonAction, i) for i in ("decide-1", "confirm-1"))
        assert (decided.kind, decided.payload, decided.result) == ("decide", {}, None)
        assert decided.applied_at is not None and decided.actor == "reviewer@aos.test"
        assert confirm.actor == "" and confirm.last_error is None
        assert confirm.refusal_kind == "ERASED"  # never delivered without its payload
