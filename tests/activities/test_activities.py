"""The activities against real parts: SMTP (aiosmtpd), the VIES stand-in over HTTP, the DB."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities
from activities.records import RecordActivities
from activities.vies import ViesActivities
from core.mail_app import MailApp
from core.models import Account, Registration, SentEmail, ViesFault
from tests.workflows.helpers import make_registration
from vies.client import ViesClient
from workflows import contracts as c


@pytest.fixture
def activity_env() -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = env.info.__class__(**{**env.info.__dict__, "workflow_id": "registration-abc123"})
    return env


def _vat_request(**changes: str) -> c.VatCheckRequest:
    fields = dict(
        registration_id="r1",
        country_code="HU",
        vat_number="12345676",
        company_name="KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.",
        street="Váci út 22.",
        postcode="1132",
        city="Budapest",
    )
    fields.update(changes)
    return c.VatCheckRequest(**fields)


def test_vat_check_matches_letter_for_letter(vies):
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, _vat_request())
    assert result.valid and result.matches and not result.no_data
    assert result.registered_name == "Kovács és Társa Autójavító Kft."
    assert result.request_date


def test_vat_check_reports_the_mismatching_field(vies):
    request = _vat_request(street="Váci út 22")  # the full stop is part of the address
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert result.valid and not result.matches
    fields = {f.field: f for f in result.fields}
    assert fields["name"].matches and not fields["street"].matches
    assert fields["postcode"].matches and fields["city"].matches
    # Each field beside VIES's own spelling of it.
    assert (fields["street"].registered, fields["street"].typed) == ("Váci út 22.", "Váci út 22")


def test_vat_check_keeps_vies_own_matching_as_evidence(vies):
    request = _vat_request(street="Váci út 23.")
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert result.vies_matches["name"] == "VALID"
    assert result.vies_matches["street"] == "INVALID"
    assert result.vies_matches["city"] == "VALID"


def test_vat_check_adopted_address_matches(vies):
    request = _vat_request(street="Typo 1", adopted_address="Váci út 22.\n1132 Budapest")
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert result.matches
    assert {f.note for f in result.fields if f.field != "name"} == {"adopted"}


@pytest.mark.parametrize("code", ["IP_BLOCKED", "INVALID_REQUESTER_INFO", "VOW-ERR-77"])
@pytest.mark.parametrize("style", ["error", "body200"])
def test_vat_check_portal_fault_is_retried_and_reported(app, vies, caplog, code, style):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 1, "error": code, "style": style})
    sessions = app.extensions["aos_sessions"]
    activities = ViesActivities(ViesClient(vies), sessions)
    with pytest.raises(ApplicationError) as raised, caplog.at_level("ERROR", "aos.vies"):
        ActivityEnvironment().run(activities.check_vat, _vat_request())
    # Retried like an outage: never "not valid", never final.
    assert not raised.value.non_retryable
    assert raised.value.type == c.ERROR_VIES_PORTAL_FAULT
    assert any(r.levelname == "ERROR" and code in r.getMessage() for r in caplog.records)
    with sessions() as session:
        assert [f.code for f in session.scalars(select(ViesFault))] == [code]


def test_vat_check_blocked_goes_to_the_administrators(vies):
    request = _vat_request(vat_number="400")  # the EU test service's VAT_BLOCKED
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert (result.valid, result.matches, result.flag_reason) == (True, True, "VAT_BLOCKED")


def test_vat_check_no_data_member_state_goes_on_flagged(vies):
    request = _vat_request(country_code="DE", vat_number="535883162", company_name="Any GmbH")
    result = ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert result.valid and result.matches and result.no_data


def test_vat_check_outage_is_retryable_never_invalid(vies):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 1, "error": "MS_UNAVAILABLE"})
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, _vat_request())
    assert not raised.value.non_retryable
    assert raised.value.type == "ViesTransientError"


def test_vat_check_final_error_is_not_retried(vies):
    request = _vat_request(vat_number="201")  # the EU test service's INVALID_INPUT
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(ViesActivities(ViesClient(vies)).check_vat, request)
    assert raised.value.non_retryable and raised.value.type == c.ERROR_VAT_FINAL


def test_confirmation_mail_goes_over_smtp_once(app, mailbox, activity_env):
    reg = make_registration(app)
    mail = MailActivities(MailApp(app.config["SETTINGS"]), app.extensions["aos_sessions"])
    request = c.SendEmailRequest(
        registration_id=reg.id, kind="confirmation", deadline="2026-11-26T13:03:00+00:00"
    )
    outbox_id = mail.store_registration_email(c.workflow_id_for(reg.id), request)
    # Queued once: a retried local activity finds the row.
    assert mail.store_registration_email(c.workflow_id_for(reg.id), request) == outbox_id
    first = activity_env.run(mail.send_outbox_mail, c.OutboxMailJob(outbox_id))
    # A retried attempt finds the ledger entry and sends nothing.
    again = activity_env.run(mail.send_outbox_mail, c.OutboxMailJob(outbox_id))
    assert first == again == f"<{c.workflow_id_for(reg.id)}.confirmation@aos.test>"
    [message] = mailbox.wait_for(reg.email)
    assert message.message_id == first
    assert message.subject == "Confirm your AOS registration" or "megerősítés" in message.subject
    assert "http://aos.test/confirm/" in message.text and message.html
    assert "2026. november 26. 14:03" in message.text  # Budapest time, Hungarian format
    with app.extensions["aos_sessions"]() as session:
        [entry] = session.scalars(select(SentEmail)).all()
        assert entry.kind == "confirmation" and entry.recipient == reg.email


def test_smtp_down_fails_the_attempt_so_it_is_retried(app_env, make_app, activity_env):
    app = make_app({**app_env, "MAIL_PORT": "1"})
    reg = make_registration(app)
    mail = MailActivities(MailApp(app.config["SETTINGS"]), app.extensions["aos_sessions"])
    outbox_id = mail.store_registration_email(
        c.workflow_id_for(reg.id), c.SendEmailRequest(reg.id, kind="activated")
    )
    with pytest.raises(OSError):
        activity_env.run(mail.send_outbox_mail, c.OutboxMailJob(outbox_id))
    with app.extensions["aos_sessions"]() as session:
        assert session.scalars(select(SentEmail)).all() == []  # nothing recorded as sent


def test_record_status_follows_the_workflow(app):
    reg = make_registration(app)
    records = RecordActivities(app.extensions["aos_sessions"])
    env = ActivityEnvironment()
    env.run(
        records.record_status,
        c.RecordStatusRequest(
            reg.id,
            "AWAITING_EMAIL_CONFIRMATION",
            deadline="2026-11-26T13:03:00+00:00",
            at="2026-11-24T13:03:00+00:00",
        ),
    )
    env.run(
        records.record_status,
        c.RecordStatusRequest(reg.id, "EXPIRED", at="2026-11-26T13:03:00+00:00"),
    )
    with app.extensions["aos_sessions"]() as session:
        stored = session.get(Registration, reg.id)
        assert stored.status == "EXPIRED" and stored.open_email is None


def test_activation_is_idempotent(app):
    reg = make_registration(app)
    records = RecordActivities(app.extensions["aos_sessions"])
    env = ActivityEnvironment()
    first = env.run(records.activate_account, c.ActivateAccountRequest(reg.id))
    second = env.run(records.activate_account, c.ActivateAccountRequest(reg.id))
    assert first == second
    with app.extensions["aos_sessions"]() as session:
        [account] = session.scalars(select(Account)).all()
        assert account.active and account.user_type == "WORKSHOP"


def test_missing_record_is_a_non_retryable_error(app):
    records = RecordActivities(app.extensions["aos_sessions"])
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(
            records.record_status,
            c.RecordStatusRequest("nope", "EXPIRED", at="2026-11-26T13:03:00+00:00"),
        )
    assert raised.value.non_retryable


def test_with_a_requester_vat_the_consultation_number_is_kept(vies):
    client = ViesClient(vies, requester_vat="HU12345676")
    result = ActivityEnvironment().run(ViesActivities(client).check_vat, _vat_request())
    assert result.matches and result.request_identifier  # evidence for the administrator


def test_worker_says_clearly_when_smtp_is_unreachable(app_env, make_app, caplog):
    from workerapp.checks import check_smtp

    app = make_app({**app_env, "MAIL_PORT": "1"})
    with caplog.at_level("ERROR", logger="aos.worker"):
        check_smtp(app.config["SETTINGS"])
    assert "SMTP check failed for 127.0.0.1:1" in caplog.text
    assert "retried" in caplog.text
