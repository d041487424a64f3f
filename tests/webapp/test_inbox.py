"""The inbox of people's actions (issue 21) with Temporal unreachable from the web app:
each click is stored, the person told it is on its way, and the worker's sweep delivers it
(applied, or refused with its reason kept on the row)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from temporalio.client import Client

from activities.sweep import StartSweep
from core.models import AuditEntry, PersonAction, Registration
from core.tokens import status_token
from tests.webapp.conftest import csrf_token, submit
from tests.webapp.test_admin_decisions import APPLICANT, _wait_status
from workflows import contracts as c


def _rows(app: Flask) -> list[PersonAction]:
    with app.extensions["aos_sessions"]() as session:
        return list(session.scalars(select(PersonAction).order_by(PersonAction.received_at)))


def _sweep(app: Flask, loop_thread) -> None:  # type: ignore[no-untyped-def]
    async def once() -> None:
        client = await Client.connect(app.config["SETTINGS"].temporal_address)
        sweep = StartSweep(client, app.extensions["aos_sessions"], app.config["SETTINGS"])
        await sweep.redelivery.redeliver_once(grace=timedelta(0))

    loop_thread.run(once(), timeout=60)


def test_clicks_made_while_temporal_is_unreachable_are_kept_and_delivered(
    web, web_env, make_app, mailbox, loop_thread
):
    client = web.test_client()
    assert submit(client, lang="en").status_code == 302
    [mail] = mailbox.wait_for(APPLICANT)
    reg = _wait_status(web, "AWAITING_EMAIL_CONFIRMATION")
    confirm = re.search(r"http://aos\.test(/confirm/[\w.\-]+)", mail.text).group(1)
    token = status_token(web.config["SETTINGS"].secret_key, reg.id)

    down = make_app({**web_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    down.extensions["aos_temporal"].call_timeout = 2.0
    away = down.test_client()
    status = f"/status/{token}"
    resend = away.post(f"{status}/resend?lang=en", data={"csrf_token": csrf_token(away, status)})
    assert resend.status_code == 302
    assert "will be sent again within a minute" in away.get(f"{status}?lang=en").get_data(
        as_text=True
    )
    form = {"csrf_token": csrf_token(away, confirm)}
    answer = away.post(confirm, data=form)
    assert answer.status_code == 202
    assert "It will be applied within a minute" in answer.get_data(as_text=True)
    reopened = away.get(f"{confirm}?lang=en")
    assert reopened.status_code == 202 and "already confirmed" not in reopened.get_data(
        as_text=True
    )
    again = away.post(confirm, data=form)  # a second click from the page still open
    assert again.status_code == 202
    rows = _rows(web)
    assert [(r.kind, r.pending) for r in rows] == [
        (c.UPDATE_RESEND_CONFIRMATION, True),
        (c.UPDATE_CONFIRM_EMAIL, True),
    ]
    assert rows[1].attempts == 2
    with web.extensions["aos_sessions"]() as session:
        audited = session.scalars(select(AuditEntry.action)).all()
    assert "registration.confirmation_received" in audited
    assert "registration.resend_received" in audited
    assert _wait_status(web, "AWAITING_EMAIL_CONFIRMATION").email_confirmed_at is None

    _sweep(web, loop_thread)
    resent, confirmed = _rows(web)
    # The resend came within the cool-down of the first email: refused, and said why.
    assert resent.refused_at is not None and resent.refusal_kind == c.REFUSED_RESEND_COOLDOWN
    assert confirmed.applied_at is not None
    reg = _wait_status(web, "AWAITING_REVIEW")
    assert reg.email_confirmed_at is not None
    with web.extensions["aos_sessions"]() as session:
        assert session.get(Registration, reg.id).status == "AWAITING_REVIEW"
