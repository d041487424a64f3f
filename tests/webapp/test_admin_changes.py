"""Issue 17: "Ask for changes" on the console, through the workflow's Update on a real dev
server with the real worker: the request reaches the workflow and the page says what was
asked; bad input is shown again with what was ticked and typed and never reaches the
workflow; refusals outside review are told and audited; a correction comes back marked
"corrected" with its before/after; several rounds, a correction VIES refused, the CLI."""

from __future__ import annotations

import html
import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.models import AuditEntry, ChangeRequest, CorrectionAttempt, Registration
from tests.webapp.conftest import VALID_FORM, csrf_token
from tests.webapp.test_admin_auth import console_login, make_console_account
from tests.webapp.test_admin_decisions import APPLICANT, _wait_status, in_review
from workflows import contracts as c

MESSAGE = "The phone number does not answer. Please give the workshop's direct line."


def _page(client: FlaskClient, reg_id: str, lang: str = "en") -> str:
    return html.unescape(
        client.get(f"/admin/registrations/{reg_id}?lang={lang}").get_data(as_text=True)
    )


def _changes_nonce(page: str) -> str:
    return re.search(r'name="changes-nonce" type="hidden" value="(\w+)"', page).group(1)


def _ask(client: FlaskClient, reg_id: str, groups: list[str], message: str, page: str = ""):  # type: ignore[no-untyped-def]
    """Post the console's Ask for changes form as the page rendered it."""
    path = f"/admin/registrations/{reg_id}"
    page = page or client.get(path).get_data(as_text=True)
    form = {
        "changes-csrf_token": csrf_token(client, path),
        "changes-nonce": _changes_nonce(page),
        "changes-groups": groups,
        "changes-message": message,
    }
    return client.post(f"{path}/changes", data=form)


def _reviewer(app: Flask, email: str = "admin@aos.test") -> FlaskClient:
    make_console_account(app, email, roles="reviewer")
    client = app.test_client()
    console_login(client, app, email)
    return client


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.extensions["aos_sessions"]() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _checked(page: str) -> set[str]:
    """The ticked boxes of the Ask for changes form."""
    return set(re.findall(r'name="changes-groups" value="(\w+)"[^>]* checked', page))


def _correct(app: Flask, reg: Registration, round_no: int, **values: str) -> c.CorrectionOutcome:
    """What the applicant's correction page does: store the attempt, hand it over."""
    attempt_id = uuid.uuid4().hex
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            CorrectionAttempt(
                id=attempt_id, registration_id=reg.id, round=round_no, values=dict(values)
            )
        )
    company = {f: values.get(f, getattr(reg, f)) for f in ("company_name", "street", "postcode")}
    outcome = app.extensions["aos_temporal"].submit_correction(
        reg.id,
        c.CorrectionSubmitted(
            round=round_no,
            attempt_id=attempt_id,
            city=values.get("city", reg.city),
            **company,
        ),
        seconds=20,
    )
    assert outcome is not None
    return outcome


def test_asking_for_changes_reaches_the_workflow_and_the_page_says_what_was_asked(web, mailbox):
    reg = in_review(web, mailbox)
    admin = _reviewer(web)
    page = _page(admin, reg.id)
    # The third answer beside Approve and Reject: a box per part, a required message.
    assert "Ask for changes" in page and "Approve" in page and "Reject" in page
    assert re.findall(r'name="changes-groups" value="(\w+)"', page) == list(c.CHANGE_GROUPS)
    assert "The applicant reads it" in page

    response = _ask(admin, reg.id, ["phone", "contact_person"], MESSAGE)
    assert response.status_code == 302
    reg = _wait_status(web, "CHANGES_REQUESTED")
    view = web.extensions["aos_temporal"].status(reg.id)
    assert view.changes is not None and view.changes.groups == ["phone", "contact_person"]
    assert view.changes.message == MESSAGE

    page = _page(admin, reg.id)
    assert "Changes requested: the applicant is emailed" in page  # the flash
    assert 'data-status="CHANGES_REQUESTED"' in page
    box = page[page.index('id="changes-requested"') :]
    box = box[: box.index("</section>")]
    assert "Asked by admin@aos.test" in box and "(round 1)" in box
    assert "Phone, Contact person" in box and MESSAGE in box
    with web.extensions["aos_sessions"]() as session:
        deadline = session.scalars(select(ChangeRequest.deadline)).one()
    assert "has until" in box and deadline.strftime("%Y") in box
    # No second answer is offered while the applicant has it.
    assert 'id="ask-for-changes"' not in page and 'value="approve"' not in page
    assert "Changes asked (round 1): Phone, Contact person" in page  # the timeline

    [entry] = _audit(web, "registration.changes_requested")
    assert (entry.actor, entry.registration_id, entry.detail) == ("admin@aos.test", reg.id, MESSAGE)
    # The applicant is asked by email (after the confirmation email).
    assert "Please change your AOS registration" in mailbox.wait_for(APPLICANT, 2)[0].subject

    # The queue's status filter finds it, its service level paused.
    queue = html.unescape(
        admin.get("/admin/?status=CHANGES_REQUESTED&lang=en").get_data(as_text=True)
    )
    assert f'data-registration="{reg.id}"' in queue and "Paused: the applicant has until" in queue
    assert '<option value="CHANGES_REQUESTED" selected>Changes requested</option>' in queue


def test_bad_input_is_shown_again_with_what_was_typed_and_never_reaches_the_workflow(web, mailbox):
    reg = in_review(web, mailbox)
    admin = _reviewer(web)
    page = _page(admin, reg.id)

    nothing_ticked = _ask(admin, reg.id, [], MESSAGE, page)
    assert nothing_ticked.status_code == 400
    shown = html.unescape(nothing_ticked.get_data(as_text=True))
    assert "Tick at least one part the applicant should change." in shown
    assert MESSAGE in shown  # the message typed is still there

    no_message = _ask(admin, reg.id, ["phone", "billing"], "   ", page)
    assert no_message.status_code == 400
    shown = html.unescape(no_message.get_data(as_text=True))
    assert "Write the applicant what to change and why." in shown
    assert _checked(shown) == {"phone", "billing"}

    unknown = _ask(admin, reg.id, ["phone", "vat_number"], MESSAGE, page)
    assert unknown.status_code == 400
    shown = html.unescape(unknown.get_data(as_text=True))
    assert "Tick only the parts offered in the list." in shown
    assert _checked(shown) == {"phone"} and MESSAGE in shown

    # In Hungarian, the console's own language.
    admin.get(f"/admin/registrations/{reg.id}?lang=hu")
    hungarian = _ask(admin, reg.id, [], "", page)
    assert hungarian.status_code == 400
    shown = html.unescape(hungarian.get_data(as_text=True))
    assert "Módosítás kérése" in shown
    assert "Jelöljön be legalább egy részt" in shown and "Írja meg a jelentkezőnek" in shown

    # The workflow never heard of it: still in review, no round, nothing refused.
    view = web.extensions["aos_temporal"].status(reg.id)
    assert view.status == "AWAITING_REVIEW" and view.changes is None
    assert _audit(web, "registration.decision_refused") == []
    assert _audit(web, "registration.changes_requested") == []


def test_asking_outside_review_is_refused_told_and_audited(web, mailbox):
    reg = in_review(web, mailbox)
    anna = _reviewer(web, "anna@aos.test")
    bela = _reviewer(web, "bela@aos.test")
    stale = bela.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    stale_decision = re.search(r'name="nonce" type="hidden" value="(\w+)"', stale).group(1)

    assert _ask(anna, reg.id, ["address"], "The street is missing the house number.").status_code
    _wait_status(web, "CHANGES_REQUESTED")

    # Bela's page still offered the form: the workflow refuses, the page says so.
    assert _ask(bela, reg.id, ["phone"], MESSAGE, stale).status_code == 302
    page = _page(bela, reg.id)
    assert "no longer waiting for review, so no changes can be asked" in page
    assert "Nothing was changed" in page
    # Approving from the stale page is refused too.
    path = f"/admin/registrations/{reg.id}"
    bela.post(
        f"{path}/decision",
        data={
            "csrf_token": csrf_token(bela, path),
            "nonce": stale_decision,
            "action": "approve",
            "reason": "",
        },
    )
    assert "so it cannot be decided" in _page(bela, reg.id)

    refused = _audit(web, "registration.decision_refused")
    assert [(e.actor, e.detail.split(":")[0]) for e in refused] == [
        ("bela@aos.test", "ask for changes (phone)"),
        ("bela@aos.test", "approve"),
    ]
    assert "Decision refused (nothing changed)" in _page(bela, reg.id)
    view = web.extensions["aos_temporal"].status(reg.id)
    assert view.changes.round == 1 and view.changes.groups == ["address"]


def test_a_registration_never_started_is_refused_without_the_workflow(app):
    """Stored but not started (Temporal down at "Send"): nothing to ask; audited."""
    from tests.workflows.helpers import make_registration

    make_registration(app, id="r" + "0" * 31, status="AWAITING_REVIEW")
    admin = _reviewer(app)
    response = _ask(admin, "r" + "0" * 31, ["phone"], MESSAGE)
    assert response.status_code == 302
    assert "no changes can be asked" in _page(admin, "r" + "0" * 31)
    [entry] = _audit(app, "registration.decision_refused")
    assert entry.detail.startswith("ask for changes (phone):")


def test_a_correction_comes_back_marked_corrected_with_before_and_after(web, mailbox):
    reg = in_review(web, mailbox)
    admin = _reviewer(web)
    _ask(admin, reg.id, ["phone", "representative"], MESSAGE)
    reg = _wait_status(web, "CHANGES_REQUESTED")

    outcome = _correct(
        web,
        reg,
        1,
        phone="+36 30 123 4567",
        rep_title="",
        rep_first_name="Péter",
        rep_last_name="Kovács-Nagy",
    )
    assert outcome.accepted and outcome.status == "AWAITING_REVIEW"
    reg = _wait_status(web, "AWAITING_REVIEW")
    assert reg.phone == "+36 30 123 4567"

    page = _page(admin, reg.id)
    assert 'id="corrected-badge"' in page
    table = page[page.index('id="correction-1"') :]
    table = table[: table.index("</table>")]
    rows = {
        name: re.sub(r"<[^>]+>", " ", row).split()
        for name, row in re.findall(r'<tr data-field="(\w+)"[^>]*>(.*?)</tr>', table, re.S)
    }
    # The registration form's labels; before, then after.
    assert " ".join(rows["phone"]) == "Phone +36 1 234 5678 +36 30 123 4567"
    assert " ".join(rows["rep_last_name"]) == "Last name Kovács Kovács-Nagy"
    assert " ".join(rows["rep_title"]) == "Title dr. —"
    assert "(unchanged)" in " ".join(rows["rep_first_name"])
    corrections = page[page.index('id="corrections"') : page.index('id="correction-1"')]
    assert "Round 1: asked by admin@aos.test" in corrections
    timeline = page[page.index('id="timeline"') :]
    assert "Changes asked (round 1): Phone, Legal representative" in timeline
    assert re.search(
        r"Corrected by the applicant \(round 1\)</span> <small[^>]*>Phone, Title", timeline
    )
    # Decidable again, and the queue row says it was corrected.
    assert 'value="approve"' in page and 'id="ask-for-changes"' in page
    queue = html.unescape(admin.get("/admin/?lang=en").get_data(as_text=True))
    row = queue[queue.index(f'data-registration="{reg.id}"') :]
    assert '<span class="badge corrected">Corrected</span>' in row[: row.index("</tr>")]
    hu_queue = html.unescape(admin.get("/admin/?lang=hu").get_data(as_text=True))
    assert "Javítva" in hu_queue


def test_several_rounds_a_correction_vies_refused_then_approved(web, mailbox):
    reg = in_review(web, mailbox)
    admin = _reviewer(web)
    _ask(admin, reg.id, ["phone"], MESSAGE)
    reg = _wait_status(web, "CHANGES_REQUESTED")
    assert _correct(web, reg, 1, phone="+36 30 123 4567").accepted
    reg = _wait_status(web, "AWAITING_REVIEW")

    _ask(admin, reg.id, ["company_name"], "Please write the company name as registered.")
    reg = _wait_status(web, "CHANGES_REQUESTED")
    # A name VIES does not hold: refused, the round stays open.
    refused = _correct(web, reg, 2, company_name="Kovács Autó Bt.")
    assert not refused.accepted and refused.status == "CHANGES_REQUESTED"
    page = _page(admin, reg.id)
    assert "(round 2)" in page and "Corrections VIES did not confirm in this round: 1" in page
    assert "Correction refused: VIES does not confirm it (round 2)" in page
    assert _correct(web, reg, 2, company_name=VALID_FORM["company_name"]).accepted
    reg = _wait_status(web, "AWAITING_REVIEW")

    page = _page(admin, reg.id)
    assert 'id="correction-1"' in page and 'id="correction-2"' in page
    timeline = page[page.index('id="timeline"') :]
    order = [
        "Changes asked (round 1): Phone",
        "Corrected by the applicant (round 1)",
        "Changes asked (round 2): Company name",
        "Correction refused: VIES does not confirm it (round 2)",
        "Corrected by the applicant (round 2)",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    path = f"/admin/registrations/{reg.id}"
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    admin.post(
        f"{path}/decision",
        data={"csrf_token": csrf_token(admin, path), "nonce": nonce, "action": "approve"},
    )
    assert _wait_status(web, "APPROVED").decided_by == "admin@aos.test"


def test_cli_asks_for_changes_through_the_same_update(web, mailbox):
    reg = in_review(web, mailbox)
    make_console_account(web, "ops@aos.test", roles="reviewer")
    runner = web.test_cli_runner()

    no_group = runner.invoke(
        args=["registrations", "ask-changes", reg.id, "--message", "x", "--by", "ops@aos.test"]
    )
    assert no_group.exit_code == 2 and "--group" in no_group.output
    blank = runner.invoke(
        args=["registrations", "ask-changes", reg.id, "--group", "phone"]
        + ["--message", "  ", "--by", "ops@aos.test"]
    )
    assert blank.exit_code == 2 and "Write the applicant what to change" in blank.output
    assert _registration_status(web) == "AWAITING_REVIEW"

    asked = runner.invoke(
        args=["registrations", "ask-changes", reg.id, "--group", "phone", "--group", "address"]
        + ["--message", MESSAGE, "--by", "ops@aos.test"]
    )
    assert asked.exit_code == 0, asked.output
    assert "CHANGES_REQUESTED (phone, address; by ops@aos.test)" in asked.output
    _wait_status(web, "CHANGES_REQUESTED")
    shown = runner.invoke(args=["registrations", "show", reg.id])
    assert "Changes round 1: phone, address asked by ops@aos.test" in shown.output
    assert "Changes asked (round 1): Phone, Address" in shown.output

    again = runner.invoke(
        args=["registrations", "ask-changes", reg.id, "--group", "phone"]
        + ["--message", MESSAGE, "--as", "ops@aos.test"]
    )
    assert again.exit_code == 1 and "no changes can be asked" in again.output


def _registration_status(app: Flask) -> str:
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration.status)).one()


def test_a_round_left_unanswered_expires_and_the_page_says_so(
    web_env, make_app, running_worker, mailbox
):
    app = make_app({**web_env, "CHANGES_WINDOW": "6s"})
    running_worker(app)
    reg = in_review(app, mailbox)
    admin = _reviewer(app)
    _ask(admin, reg.id, ["billing"], "The billing address is incomplete.")
    _wait_status(app, "CHANGES_REQUESTED")
    page = _page(admin, reg.id)
    assert "has until" in page and "Billing address" in page
    reg = _wait_status(app, "EXPIRED", timeout=30)

    page = _page(admin, reg.id)
    assert 'id="changes-requested"' not in page and 'id="ask-for-changes"' not in page
    timeline = page[page.index('id="timeline"') :]
    asked = timeline.index("Changes asked (round 1): Billing address")
    assert timeline.index("Request for changes expired unanswered (round 1)") > asked
    assert "Reminder to send the changes sent" in timeline
    assert "Corrected" not in page
