"""The applicant's side of "Ask for changes" against a real dev server and the real worker:
the correction page shows only the asked-for fields, prefilled; bad input keeps what was
typed; an accepted correction goes back to review with the new values; a corrected company
name VIES does not confirm shows the mismatch and leaves the round open; a page for a round
that is not open changes nothing; the status page says what was asked, in both languages."""

from __future__ import annotations

import html
import re
import time
import uuid

import httpx
from flask import Flask
from sqlalchemy import select

from core.models import ChangeRequest, CorrectionAttempt, PersonAction, Registration
from core.tokens import status_token
from tests.webapp.conftest import csrf_from
from tests.webapp.test_admin_decisions import in_review
from tests.workflows.helpers import HU_NAME
from webapp.registration import changes_service, decoy
from workflows import contracts as c

MESSAGE = "Please give the phone number of the workshop.\nThe legal representative is missing."


def _registration(app: Flask) -> Registration:
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration)).one()


def _wait(app: Flask, status: str, timeout: float = 20) -> Registration:
    deadline = time.monotonic() + timeout
    while (reg := _registration(app)).status != status:
        assert time.monotonic() < deadline, f"{reg.status}, expected {status}"
        time.sleep(0.1)
    return reg


def _attempts(app: Flask) -> list[CorrectionAttempt]:
    with app.extensions["aos_sessions"]() as session:
        return list(session.scalars(select(CorrectionAttempt)).all())


def ask_for_changes(app: Flask, mailbox, groups: list[str], lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    """Register, confirm, ask for changes through the workflow's Update: the status token."""
    reg = in_review(app, mailbox, lang=lang)
    app.extensions["aos_temporal"].ask_for_changes(
        reg.id,
        c.ChangesRequest(groups=groups, message=MESSAGE, requested_by="1"),
        update_id=f"changes-{uuid.uuid4().hex}",
    )
    _wait(app, "CHANGES_REQUESTED")
    return status_token(app.config["SETTINGS"].secret_key, reg.id)


def _post(client, token: str, lang: str = "en", **values: str):  # type: ignore[no-untyped-def]
    """Open the page (in `lang`) and send it; a closed round's page has no form, so the
    session's CSRF token then comes from the registration form."""
    page = client.get(f"/changes/{token}?lang={lang}")
    if page.status_code != 200:
        page = client.get(f"/register/one-page?lang={lang}")
    csrf = csrf_from(page.get_data(as_text=True))
    return client.post(f"/changes/{token}", data={"csrf_token": csrf, **values})


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def test_the_page_shows_only_the_asked_for_fields_prefilled(web, mailbox):
    token = ask_for_changes(web, mailbox, ["phone", "representative"])
    # The email's link opens it.
    mail = mailbox.wait_for("peter@kovacs-auto.hu", 2)[0]
    assert f"http://aos.test/changes/{token}" in mail.text
    response = web.test_client().get(f"/changes/{token}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please give the phone number of the workshop." in page
    assert "The legal representative is missing." in page
    assert "Deadline" in page and "Time left" in page
    assert _input_value(page, "phone") == "+36 1 234 5678"
    assert _input_value(page, "rep_title") == "dr."
    assert _input_value(page, "rep_first_name") == "Péter"
    assert _input_value(page, "rep_last_name") == "Kovács"
    for not_asked in ("company_name", "street", "postcode", "city", "contact_person", "email"):
        assert _input_value(page, not_asked) is None, not_asked
    assert "<legend>Legal representative</legend>" in page

    hu = web.test_client().get(f"/changes/{token}?lang=hu").get_data(as_text=True)
    assert "Regisztráció módosítása" in hu and "Határidő" in hu
    assert "<legend>Törvényes képviselő</legend>" in hu


def test_bad_input_is_shown_with_what_was_typed(web, mailbox):
    token = ask_for_changes(web, mailbox, ["phone", "representative"])
    client = web.test_client()
    response = _post(
        client, token, "hu", phone="1234", rep_title="", rep_first_name="Péter", rep_last_name=""
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Kérjük, a telefonszámot belföldi formában (pl. 06 20 123 4567)" in page
    assert "Kérjük, töltse ki ezt a mezőt." in page
    assert _input_value(page, "phone") == "1234"
    assert _input_value(page, "rep_first_name") == "Péter"
    assert page.index(">Vezetéknév</label>") < page.index(">Keresztnév</label>")  # family first
    assert 'aria-invalid="true"' in page
    # Nothing went to the workflow; the record is unchanged.
    assert _attempts(web) == []
    assert _registration(web).status == "CHANGES_REQUESTED"
    assert _registration(web).phone == "+36 1 234 5678"


def test_an_accepted_correction_goes_back_to_review_with_the_new_values(web, mailbox):
    token = ask_for_changes(web, mailbox, ["phone", "representative"])
    client = web.test_client()
    response = _post(
        client,
        token,
        phone="+36 30 123 4567",
        rep_title="",
        rep_first_name="Anna",
        rep_last_name="Kovács",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "your changes have been sent" in page
    assert "gone back to our administrators" in page
    reg = _wait(web, "AWAITING_REVIEW")
    assert (reg.phone, reg.rep_title, reg.rep_first_name) == ("+36 30 123 4567", "", "Anna")
    assert reg.company_name == HU_NAME  # not asked, not touched
    with web.extensions["aos_sessions"]() as session:
        round_ = session.scalars(select(ChangeRequest)).one()
    assert round_.before["rep_first_name"] == "Péter" and round_.after["rep_first_name"] == "Anna"
    [attempt] = _attempts(web)
    assert attempt.outcome == "accepted"

    status = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    # The stepper: the round of changes done, the review of them now.
    assert _stages(status)[-3:] == [
        ("changes", "done", "Your changes (round 1)"),
        ("review", "current", "Review of your changes"),
        ("activation", "todo", "Account activation"),
    ]
    assert "Your changes have reached our administrators." in status
    # The round is answered: the page says so, and a second sending changes nothing.
    again = _post(client, token, phone="+36 1 234 5678")
    assert again.status_code == 409
    assert "not waiting for changes from you" in again.get_data(as_text=True)
    assert _registration(web).phone == "+36 30 123 4567"
    assert len(_attempts(web)) == 1

    # A second round asks for something else: the page shows that round's fields.
    web.extensions["aos_temporal"].ask_for_changes(
        reg.id,
        c.ChangesRequest(groups=["contact_person"], message="Who is it?", requested_by="1"),
        update_id=f"changes-{uuid.uuid4().hex}",
    )
    _wait(web, "CHANGES_REQUESTED")
    second = client.get(f"/changes/{token}?lang=en").get_data(as_text=True)
    assert "Who is it?" in second and MESSAGE.splitlines()[0] not in second
    assert _input_value(second, "contact_person") == "Kovács Péter"
    assert _input_value(second, "phone") is None
    assert _post(client, token, contact_person="Kovács Anna").status_code == 200
    assert _wait(web, "AWAITING_REVIEW").contact_person == "Kovács Anna"
    steps = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert [(kind, state) for kind, state, _label in _stages(steps)] == [
        ("vat", "done"), ("email", "done"), ("review", "done"), ("changes", "done"),
        ("review", "done"), ("changes", "done"), ("review", "current"), ("activation", "todo"),
    ]  # fmt: skip
    assert "Your changes (round 2)" in steps


def _stages(page: str) -> list[tuple[str, str, str]]:
    """The status page's stepper: (stage, state, label) in order."""
    return re.findall(
        r'data-stage="(\w+)" data-state="(\w+)".*?<span class="stage-label">([^<]+)</span>',
        page,
        re.S,
    )


def test_a_company_name_vies_does_not_confirm_shows_the_mismatch_and_the_round_stays_open(
    web, mailbox
):
    token = ask_for_changes(web, mailbox, ["company_name"])
    client = web.test_client()
    response = _post(client, token, company_name="Kovács Autójavító Kft.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Your company data do not match the VAT registration" in page
    shown = re.search(r'<strong class="registered">(.*?)</strong>', html.unescape(page), re.S)
    assert re.sub(r"<[^>]+>", "", shown.group(1)) == HU_NAME  # its differing letters marked
    assert _input_value(page, "company_name") == "Kovács Autójavító Kft."
    [attempt] = _attempts(web)
    assert attempt.outcome == "vat_mismatch"
    reg = _registration(web)
    assert reg.status == "CHANGES_REQUESTED" and reg.company_name == HU_NAME

    status = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert 'id="changes-vat-refused"' in status
    # Opened again later: the mismatch and what was typed are still there.
    later = client.get(f"/changes/{token}?lang=en").get_data(as_text=True)
    assert "Your company data do not match the VAT registration" in later
    assert _input_value(later, "company_name") == "Kovács Autójavító Kft."

    fixed = _post(client, token, company_name=HU_NAME)
    assert fixed.status_code == 200
    assert _wait(web, "AWAITING_REVIEW").company_name == HU_NAME


def test_sending_too_often_is_refused_with_the_values_kept(web, mailbox, monkeypatch):
    token = ask_for_changes(web, mailbox, ["company_name"])
    monkeypatch.setattr(changes_service, "CORRECTIONS_PER_HOUR", 1)
    client = web.test_client()
    assert _post(client, token, company_name="Kovács Autójavító Kft.").status_code == 422
    again = _post(client, token, lang="hu", company_name="Kovács Kft.")
    assert again.status_code == 429
    page = again.get_data(as_text=True)
    assert "Rövid időn belül sokszor küldött módosítást" in page
    assert _input_value(page, "company_name") == "Kovács Kft."
    assert len(_attempts(web)) == 1


def test_no_open_round_means_nothing_is_stored(web, mailbox):
    reg = in_review(web, mailbox)
    token = status_token(web.config["SETTINGS"].secret_key, reg.id)
    client = web.test_client()
    response = client.get(f"/changes/{token}?lang=en")
    assert response.status_code == 409
    assert "No changes are asked for at the moment" in response.get_data(as_text=True)
    posted = _post(client, token, phone="+36 30 123 4567")
    assert posted.status_code == 409
    assert _attempts(web) == [] and _registration(web).phone == "+36 1 234 5678"
    assert client.get("/changes/not-a-token").status_code == 404
    # A decoy's link (an address already registered) answers as a new registration's would.
    decoy_token = status_token(web.config["SETTINGS"].secret_key, decoy.new_id())
    answer = client.get(f"/changes/{decoy_token}?lang=en")
    assert answer.status_code == 409
    assert "No changes are asked for at the moment" in answer.get_data(as_text=True)


def test_no_correction_in_time_expires_and_the_pages_say_why(
    web_env, running_worker, make_app, mailbox
):
    app = make_app({**web_env, "CHANGES_WINDOW": "6s"})
    running_worker(app)
    token = ask_for_changes(app, mailbox, ["phone"])
    _wait(app, "EXPIRED")
    client = app.test_client()
    status = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert "The changes our administrators asked for did not arrive in time" in status
    assert "Start again" in status
    closed = client.get(f"/changes/{token}?lang=hu")
    assert closed.status_code == 409
    assert "A módosításokra adott idő lejárt" in closed.get_data(as_text=True)


def test_a_slow_vies_answer_and_a_second_sending_meanwhile(web, mailbox, vies, monkeypatch):
    token = ask_for_changes(web, mailbox, ["company_name"])
    monkeypatch.setattr(changes_service, "VAT_WAIT_SECONDS", 1.0)
    httpx.post(f"{vies}/_control/latency", json={"seconds": 60}, timeout=5)
    client = web.test_client()
    first = _post(client, token, company_name=HU_NAME)
    assert first.status_code == 202
    page = first.get_data(as_text=True)
    assert "We are checking your changes with VIES" in page
    assert f'href="/status/{token}"' in page
    # While VIES is still asked, another sending is refused and leaves no trace.
    second = _post(client, token, company_name="Kovács Autójavító Kft.")
    assert second.status_code == 409
    assert "still being checked" in second.get_data(as_text=True)
    assert len(_attempts(web)) == 1
    httpx.post(f"{vies}/_control/reset", timeout=5)  # VIES answers
    assert _wait(web, "AWAITING_REVIEW").company_name == HU_NAME


def test_the_status_page_says_what_was_asked(web, mailbox):
    token = ask_for_changes(web, mailbox, ["phone", "billing"], lang="hu")
    client = web.test_client()
    en = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert 'data-status="CHANGES_REQUESTED"' in en
    assert "Changes requested" in en
    assert "Please give the phone number of the workshop." in en
    assert "Phone, Billing address" in en
    assert "<dt>Who acts next</dt><dd>You</dd>" in en
    assert "Deadline" in en and "Time left" in en
    assert f'href="/changes/{token}"' in en
    hu = client.get(f"/status/{token}?lang=hu").get_data(as_text=True)
    assert "Módosítás kérve" in hu
    assert "Telefonszám, Számlázási cím" in hu
    assert "<dd>Ön</dd>" in hu
    assert "Adatok módosítása" in hu


def test_with_temporal_down_the_stored_round_is_shown_and_typed_values_are_kept(
    web, mailbox, app_env, make_app
):
    token = ask_for_changes(web, mailbox, ["company_name", "phone"])
    refused = _post(web.test_client(), token, company_name="Kovács Kft.", phone="+36 1 234 5678")
    assert refused.status_code == 422
    down = make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    client = down.test_client()
    status = client.get(f"/status/{token}?lang=en").get_data(as_text=True)
    assert "Please give the phone number of the workshop." in status
    assert "Company name, Phone" in status
    assert 'id="changes-vat-refused"' in status
    response = _post(client, token, company_name=HU_NAME, phone="+36 30 123 4567")
    # Issue 21: the correction is stored and the person told it is on its way.
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert "We have received your changes" in page
    assert "you do not need to send them again" in page
    assert _registration(web).status == "CHANGES_REQUESTED"
    with web.extensions["aos_sessions"]() as session:
        pending = session.scalars(
            select(PersonAction).where(PersonAction.kind == "submit_correction")
        ).all()
        assert [row.pending for row in pending][-1] is True
        attempt = session.get(CorrectionAttempt, pending[-1].payload["attempt_id"])
        assert attempt.values["company_name"] == HU_NAME
