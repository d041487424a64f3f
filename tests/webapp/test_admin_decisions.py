"""Decisions through the workflow's Update on a real dev server with the real worker:
concurrent approvals, refusals after the end, the reason reaching the applicant, the CLI,
and the search attributes an operator queries."""

from __future__ import annotations

import re
import threading
import time

from flask import Flask
from sqlalchemy import select
from temporalio.client import Client

from core.models import Account, AuditEntry, Registration
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_admin_auth import console_login, make_console_account
from webapp.temporal_bridge import Refused
from workflows import contracts as c

APPLICANT = "peter@kovacs-auto.hu"


def _registration(app: Flask) -> Registration:
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration)).one()


def _wait_status(app: Flask, status: str, timeout: float = 20) -> Registration:
    deadline = time.monotonic() + timeout
    while (reg := _registration(app)).status != status:
        assert time.monotonic() < deadline, f"{reg.status}, expected {status}"
        time.sleep(0.1)
    return reg


def in_review(app: Flask, mailbox, lang: str = "en") -> Registration:  # type: ignore[no-untyped-def]
    """Register, confirm the email: the registration then waits for a reviewer."""
    client = app.test_client()
    assert submit(client, lang=lang).status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    confirm = re.search(r"http://aos\.test(/confirm/[\w.\-]+)", mail.text).group(1)
    client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    return _wait_status(app, "AWAITING_REVIEW")


def _reviewer(app: Flask, email: str) -> Account:
    return make_console_account(app, email, roles="reviewer")


def _decide_on_page(client, reg_id: str, **data: str):  # type: ignore[no-untyped-def]
    path = f"/admin/registrations/{reg_id}"
    page = client.get(path).get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1)
    form = {"csrf_token": csrf_token(client, path), "nonce": nonce, "reason": "", **data}
    return client.post(f"{path}/decision", data=form)


def test_two_concurrent_approvals_exactly_one_wins(web, mailbox):
    reg = in_review(web, mailbox)
    admins = [_reviewer(web, "anna@aos.test"), _reviewer(web, "bela@aos.test")]
    bridge = web.extensions["aos_temporal"]
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def approve(i: int) -> None:
        decision = c.Decision(approve=True, decided_by=str(admins[i].id))
        start.wait()
        try:
            results[i] = bridge.decide(reg.id, decision, update_id=f"race-{i}")
        except Refused as err:
            results[i] = err

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [r for r in results if isinstance(r, c.DecisionResult)]
    lost = [r for r in results if isinstance(r, Refused)]
    assert len(won) == 1 and len(lost) == 1, results
    assert won[0].status == "APPROVED"
    winner = next(a for a in admins if str(a.id) == won[0].decided_by)
    reg = _wait_status(web, "APPROVED")
    assert reg.decided_by == winner.email
    # One activation email, one audit entry for the decision.
    mailbox.wait_for(APPLICANT, 2)  # confirmation + activation
    time.sleep(0.5)  # would a second activation email still arrive?
    assert len(mailbox.messages(APPLICANT)) == 2
    with web.extensions["aos_sessions"]() as session:
        decided = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "registration.approved")
        ).all()
    assert [(e.actor, e.registration_id) for e in decided] == [(winner.email, reg.id)]


def test_the_console_says_clearly_when_someone_else_decided_first(web, mailbox):
    reg = in_review(web, mailbox)
    make_console_account(web, "anna@aos.test", roles="reviewer")
    make_console_account(web, "bela@aos.test", roles="reviewer")
    anna, bela = web.test_client(), web.test_client()
    console_login(anna, web, "anna@aos.test")
    console_login(bela, web, "bela@aos.test")
    path = f"/admin/registrations/{reg.id}"
    # Both open the page while it is still undecided.
    pages = [client.get(f"{path}?lang=en").get_data(as_text=True) for client in (anna, bela)]
    forms = [
        {
            "csrf_token": csrf_token(client, path),
            "nonce": re.search(r'name="nonce" type="hidden" value="(\w+)"', page).group(1),
            "reason": "",
        }
        for client, page in zip((anna, bela), pages, strict=True)
    ]
    anna.post(f"{path}/decision", data={**forms[0], "action": "approve"})
    assert "Decision recorded" in anna.get(path).get_data(as_text=True)
    bela.post(
        f"{path}/decision",
        data={**forms[1], "action": "reject", "reason_code": "duplicate", "confirmed": "yes"},
    )
    page = bela.get(path).get_data(as_text=True)
    assert "no longer waiting for review" in page or "decided this registration first" in page
    assert "Nothing was changed" in page or "nothing was changed" in page
    _wait_status(web, "APPROVED")
    # Once the record has caught up with the workflow, the detail page's audit log shows
    # who decided, and the refused attempt.
    page = bela.get(path).get_data(as_text=True)
    assert "anna@aos.test" in page and "Decision refused" in page
    assert len(mailbox.wait_for(APPLICANT, 2)) == 2  # confirmation + activation
    assert "rejected" not in " ".join(m.subject.lower() for m in mailbox.messages(APPLICANT))


def test_a_rejection_reason_reaches_the_applicant(web, mailbox):
    reg = in_review(web, mailbox)
    make_console_account(web, roles="reviewer")
    admin = web.test_client()
    console_login(admin, web)
    response = _decide_on_page(
        admin,
        reg.id,
        action="reject",
        confirmed="yes",  # the second click, on the confirmation page
        reason_code="not_independent",
        reason="Your company is listed as an authorised BMW dealer.",
    )
    assert response.status_code == 302
    reg = _wait_status(web, "REJECTED")
    expected = (
        "The company is not an independent workshop or dealer.\n"
        "Your company is listed as an authorised BMW dealer."
    )
    assert reg.rejection_reason == expected
    mail = mailbox.wait_for(APPLICANT, 2)[0]
    assert "The company is not an independent workshop or dealer." in mail.text
    assert "authorised BMW dealer" in mail.text
    page = admin.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    assert "Rejected" in page and "admin@aos.test" in page and "authorised BMW dealer" in page


def test_cli_lists_shows_and_decides_through_the_same_update(web, mailbox):
    reg = in_review(web, mailbox)
    make_console_account(web, "ops@aos.test", roles="reviewer")
    make_console_account(web, "helpdesk@aos.test", roles="support")
    runner = web.test_cli_runner()

    listed = runner.invoke(args=["registrations", "list", "--country", "HU"])
    assert listed.exit_code == 0 and reg.id in listed.output and "1 of 1 shown" in listed.output
    shown = runner.invoke(args=["registrations", "show", reg.id])
    assert shown.exit_code == 0, shown.output
    assert "Kovács és Társa Autójavító Kft." in shown.output
    assert "Waiting for review" in shown.output  # the workflow's timeline

    not_reviewer = runner.invoke(
        args=["registrations", "approve", reg.id, "--as", "helpdesk@aos.test"]
    )
    assert not_reviewer.exit_code != 0 and "reviewer role" in not_reviewer.output
    no_reason = runner.invoke(args=["registrations", "reject", reg.id, "--as", "ops@aos.test"])
    assert no_reason.exit_code != 0

    approved = runner.invoke(args=["registrations", "approve", reg.id, "--as", "ops@aos.test"])
    assert approved.exit_code == 0, approved.output
    assert "APPROVED" in approved.output
    assert _wait_status(web, "APPROVED").decided_by == "ops@aos.test"
    again = runner.invoke(
        args=["registrations", "reject", reg.id, "--as", "ops@aos.test", "--reason", "late"]
    )
    assert again.exit_code == 1 and "Nothing was changed" in again.output


def test_operators_find_registrations_by_search_attributes(
    web, mailbox, loop_thread, temporal_address
):
    reg = in_review(web, mailbox)
    workflow_id = c.workflow_id_for(reg.id)

    async def listed(query: str) -> list[str]:
        client = await Client.connect(temporal_address)
        return [
            wf.id async for wf in client.list_workflows(f"WorkflowId = '{workflow_id}' AND {query}")
        ]

    def eventually(query: str) -> None:
        deadline = time.monotonic() + 20
        while loop_thread.run(listed(query)) != [workflow_id]:
            assert time.monotonic() < deadline, query
            time.sleep(0.3)

    eventually("RegistrationStatus = 'AWAITING_REVIEW'")
    eventually("CountryCode = 'HU' AND VatNumber = 'HU12345676' AND UserType = 'WORKSHOP'")
    make_console_account(web, roles="reviewer")
    admin = web.test_client()
    console_login(admin, web)
    _decide_on_page(admin, reg.id, action="approve")
    eventually("RegistrationStatus = 'APPROVED'")
