"""The whole journey through the Flask app, a real dev server and the real worker."""

from __future__ import annotations

import json
import re
import time

import httpx
from sqlalchemy import select

from core.models import Account, Registration
from core.passwords import hash_password
from tests.webapp.conftest import csrf_from, csrf_token, submit
from tests.webapp.test_admin_auth import console_login


def _link(text: str, kind: str) -> str:
    match = re.search(rf"http://aos\.test(/{kind}/[\w.\-]+)", text)
    assert match, f"no {kind} link in: {text}"
    return match.group(1)


def _make_admin(app, email: str = "admin@aos.test", password: str = "admin password 123") -> None:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"].begin() as session:
        session.add(
            Account(
                email=email,
                role="admin",
                roles="reviewer,support",
                password_hash=hash_password(password),
            )
        )


def _login(client, path: str, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"{path}?lang=en")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def _registration(app) -> Registration:  # type: ignore[no-untyped-def]
    with app.extensions["aos_sessions"]() as session:
        return session.scalars(select(Registration)).one()


def _wait_status(app, status: str, timeout: float = 20) -> Registration:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        reg = _registration(app)
        if reg.status == status or time.monotonic() > deadline:
            assert reg.status == status
            return reg
        time.sleep(0.1)


def test_register_confirm_approve_login(web, mailbox):
    client = web.test_client()
    response = submit(client, lang="en")
    assert response.status_code == 302
    status_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for email confirmation" in status_page
    assert "Time left" in status_page

    [mail] = mailbox.wait_for("peter@kovacs-auto.hu")
    assert mail.subject == "Confirm your AOS registration"
    confirm = _link(mail.text, "confirm")

    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(confirm).get_data(as_text=True)
    assert "Confirm my email address" in page
    time.sleep(0.5)
    assert _registration(web).status == "AWAITING_EMAIL_CONFIRMATION"

    # Logging in now: correct password → told to confirm first; wrong → generic.
    early = _login(client, "/login", "peter@kovacs-auto.hu", "correct horse battery staple")
    assert early.status_code == 403 and "confirm your email" in early.get_data(as_text=True)

    token = csrf_token(client, confirm)
    confirmed = client.post(confirm, data={"csrf_token": token})
    assert confirmed.status_code == 200
    assert "Email address confirmed" in confirmed.get_data(as_text=True)
    _wait_status(web, "AWAITING_REVIEW")

    pending = _login(client, "/login", "peter@kovacs-auto.hu", "correct horse battery staple")
    assert pending.status_code == 403 and "pending review" in pending.get_data(as_text=True)
    wrong = _login(client, "/login", "peter@kovacs-auto.hu", "wrong password here")
    assert wrong.status_code == 401
    assert "pending" not in wrong.get_data(as_text=True)

    _make_admin(web)
    admin = web.test_client()
    # Password, then the TOTP enrolment every console account goes through on first login.
    assert console_login(admin, web, "admin@aos.test", "admin password 123").status_code == 302
    reg = _registration(web)
    queue = admin.get("/admin/").get_data(as_text=True)
    assert "Kovács és Társa Autójavító Kft." in queue
    detail_path = f"/admin/registrations/{reg.id}"
    detail = admin.get(detail_path).get_data(as_text=True)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="(\w+)"', detail).group(1)
    token = csrf_from(detail)
    decision = {"csrf_token": token, "nonce": nonce, "action": "approve", "reason": ""}
    assert admin.post(f"{detail_path}/decision", data=decision).status_code == 302
    # A double click (same page, same nonce) changes nothing and is not an error.
    assert admin.post(f"{detail_path}/decision", data=decision).status_code == 302
    _wait_status(web, "APPROVED")

    activated = mailbox.wait_for("peter@kovacs-auto.hu", 2)[0]
    assert activated.subject == "Your AOS account is active"
    assert "http://aos.test/login" in activated.text

    logged_in = _login(client, "/login", "peter@kovacs-auto.hu", "correct horse battery staple")
    assert logged_in.status_code == 302
    home = client.get("/portal/").get_data(as_text=True)
    assert "Kovács és Társa Autójavító Kft." in home
    assert "Cars and motorcycles" in home


def test_mismatch_shows_field_by_field_what_vies_holds(web):
    client = web.test_client()
    response = submit(client, lang="en", company_name="Kovacs es Tarsa Autojavito Kft.")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "do not match the VAT registration" in page
    # VIES's spelling, its differing letters marked.
    assert "Kovács és Társa Autójavító Kft.</strong>" in re.sub(r"</?mark[^>]*>", "", page)
    assert 'value="Kovacs es Tarsa Autojavito Kft."' in page
    # The page follows the workflow; the record follows it a moment later.
    _wait_status(web, "VAT_MISMATCH")
    # The registration has ended, so the same address may send again at once.
    again = submit(client, lang="en")
    assert again.status_code == 302


def test_vies_down_shows_pending_check(web, vies):
    httpx.post(f"{vies}/_control/fail-next", json={"count": 50, "error": "MS_UNAVAILABLE"})
    client = web.test_client()
    response = submit(client, lang="en")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "VAT number check" in page
    assert "we will email you" in page
    _wait_status(web, "VERIFYING_VAT")


def test_expired_link_says_so_and_offers_to_start_again(web_env, running_worker, mailbox, make_app):
    app = make_app({**web_env, "CONFIRMATION_WINDOW": "3s"})
    running_worker(app)
    client = app.test_client()
    status_url = submit(client, lang="en").headers["Location"]
    [mail] = mailbox.wait_for("peter@kovacs-auto.hu")
    confirm = _link(mail.text, "confirm")
    token = csrf_token(client, "/register/one-page")
    _wait_status(app, "EXPIRED", timeout=20)
    opened = client.get(confirm)
    assert opened.status_code == 409
    assert "This link has expired" in opened.get_data(as_text=True)
    refused = client.post(confirm, data={"csrf_token": token})
    assert refused.status_code == 409
    assert "This link has expired" in refused.get_data(as_text=True)

    status = client.get(status_url).get_data(as_text=True)
    assert "Start again" in status
    restart = client.get(status_url.replace("/status/", "/restart/"), follow_redirects=True)
    page = restart.get_data(as_text=True)
    assert restart.request.path == "/register/access"
    assert 'value="peter@kovacs-auto.hu"' in page
    password_input = re.search(r'<input[^>]*name="password"[^>]*>', page).group(0)
    assert 'value="' not in password_input or 'value=""' in password_input
    company = client.get("/register/company").get_data(as_text=True)
    assert 'value="Kovács és Társa Autójavító Kft."' in company


def test_duplicate_open_registration_gets_the_same_neutral_page(web, mailbox):
    client = web.test_client()
    assert submit(client).status_code == 302
    mailbox.wait_for("peter@kovacs-auto.hu")
    second = submit(client, lang="en", email="PETER@kovacs-auto.hu")
    # The same answer as a new registration (tests/webapp/test_sec_enumeration.py).
    assert second.status_code == 302 and "/status/" in second.headers["Location"]
    with web.extensions["aos_sessions"]() as session:
        assert len(session.scalars(select(Registration)).all()) == 1
    # The owner of the address hears about it, in the language of the attempt.
    notice = mailbox.wait_for("peter@kovacs-auto.hu", 2)[0]
    assert notice.subject == "Someone tried to register your email address for AOS"
    assert "http://aos.test/login" in notice.text


def _sweep(app, loop_thread):  # type: ignore[no-untyped-def]
    """What every worker does each RESUME_SWEEP_INTERVAL (activities/sweep.py)."""
    from temporalio.client import Client

    from activities.sweep import StartSweep

    settings = app.config["SETTINGS"]

    async def once():  # type: ignore[no-untyped-def]
        client = await Client.connect(settings.temporal_address)
        return await StartSweep(client, app.extensions["aos_sessions"], settings).sweep_once()

    return loop_thread.run(once())


def test_outbox_waits_while_temporal_is_down_and_is_delivered_later(
    app_env, web_env, running_worker, make_app, mailbox, loop_thread
):
    from core.models import OutboxMessage
    from webapp.mailer import queue_email

    down = make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    with down.extensions["aos_sessions"]() as session:
        queue_email(
            session,
            down.extensions["aos_temporal"],
            kind="already_registered",
            recipient="someone@example.hu",
            language="hu",
        )
    up = make_app(web_env)
    running_worker(up)
    assert _sweep(up, loop_thread).emails == 1
    [notice] = mailbox.wait_for("someone@example.hu")
    assert notice.message_id.startswith("<mail-")
    with up.extensions["aos_sessions"]() as session:
        deadline = time.monotonic() + 10
        while session.scalars(select(OutboxMessage)).one().sent_at is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
            session.expire_all()


def test_temporal_down_keeps_the_registration_and_resumes_later(
    app_env, web_env, running_worker, make_app, loop_thread
):
    down = make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    client = down.test_client()
    response = submit(client, lang="en")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have stored your registration" in page
    reg = _registration(down)
    assert reg.workflow_started is False and reg.status == "SUBMITTED"

    up = make_app(web_env)
    running_worker(up)
    assert _sweep(up, loop_thread).registrations == 1
    _wait_status(up, "AWAITING_EMAIL_CONFIRMATION")


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    unknown = _login(client, "/login", "nobody@nowhere.test", "whatever password")
    assert unknown.status_code == 401
    assert "The email address or the password is not correct." in unknown.get_data(as_text=True)


def test_healthz(web, app_env, make_app):
    assert web.test_client().get("/healthz").status_code == 200
    down = make_app({**app_env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    response = down.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is True


def test_personal_data_stays_out_of_temporal(web, loop_thread, temporal_address, mailbox):
    from temporalio.client import Client

    client = web.test_client()
    assert submit(client, lang="en").status_code == 302
    mailbox.wait_for("peter@kovacs-auto.hu")
    reg = _registration(web)

    async def history_bytes() -> bytes:
        temporal = await Client.connect(temporal_address)
        handle = temporal.get_workflow_handle(f"registration-{reg.id}")
        history = await handle.fetch_history()
        # Payloads are raw JSON bytes inside the protobuf events.
        return b"".join(event.SerializeToString() for event in history.events)

    history = loop_thread.run(history_bytes())

    def present(text: str) -> bool:
        # The JSON payload converter escapes non-ASCII letters.
        return text.encode() in history or json.dumps(text)[1:-1].encode() in history

    assert present("Kovács és Társa Autójavító Kft.")  # the company data the process needs
    for secret in ("correct horse battery staple", "peter@kovacs-auto.hu", "Kovács Péter", "+36 1"):
        assert not present(secret), secret
    assert not present(reg.password_hash)


def test_resend_right_away_is_refused_with_the_time_to_wait(web, mailbox):
    client = web.test_client()
    status_url = submit(client, lang="en").headers["Location"]
    mailbox.wait_for("peter@kovacs-auto.hu")
    page = client.get(status_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"{status_url}/resend", data={"csrf_token": token}, follow_redirects=True
    )
    assert re.search(r"You can ask for it again in [23] min", response.get_data(as_text=True))
    assert len(mailbox.messages("peter@kovacs-auto.hu")) == 1
