"""A worker killed between any two steps loses nothing (issue 16).

One registration goes through its happy path (VIES → confirmation email → confirm → review
→ approve → activation → activated email) over real processes: `temporal server start-dev`,
`flask --app webapp run`, and `python worker.py`, which is killed with SIGKILL between each
two steps and replaced by a new process. It ends APPROVED with the account active, and each
email reached the SMTP sink exactly once.

Where a step is followed at once by an email (VIES → confirmation email, approval →
activated email), the worker that does the step has a mail server that refuses connections:
the email's delivery (its OutboxMailWorkflow) fails and waits for its retry on the Temporal
server, so the kill falls between the two steps every time, never inside the SMTP
conversation (the one window the mail activity cannot close, activities/mail.py).

Every wait looks for the step's own evidence (the status in the database, the message in
the sink and in the sent-mail ledger, the workflow's pending activity) and is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core.db import make_engine
from core.models import Account, Registration, SentEmail
from tests.conftest import Mailbox, make_env
from tests.e2e.test_end_to_end import TOKEN, enrol_from_page, free_port, post_form, wait_http
from workflows import contracts as c

REPO = Path(__file__).resolve().parents[2]
APPLICANT = "bea@tisza-motor.hu"
REVIEWERS = "reviewers@aos.test"
ADMIN = "admin@aos.hu"
ADMIN_PASSWORD = "durability admin password 1"
# Bounds: a worker starts in a few seconds; a task or activity left on a killed worker's
# sticky queue moves on after 5 s (worker.py); a failed email is retried after 5 s.
WORKER_START = 60.0
STEP = 90.0


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `check()` until it returns something truthy; fail saying `what` was missing."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f}s still waiting for {what}")
        time.sleep(0.1)


class Workers:
    """`python worker.py` processes, one at a time, each killed with SIGKILL."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.current: subprocess.Popen | None = None
        self.started = 0

    def start(self, *, mail_refused: bool = False) -> None:
        assert self.current is None, "one worker at a time"
        self.started += 1
        env = dict(self.env)
        if mail_refused:
            env["MAIL_PORT"] = str(free_port())  # nothing listens there
        log_path = self.logs / f"worker-{self.started}.log"
        with open(log_path, "wb") as log:
            self.current = subprocess.Popen(
                [sys.executable, "worker.py"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = self.current

        def polling() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"worker {self.started} exited: {log_path.read_text()}")
            return b"Worker polling" in log_path.read_bytes()

        wait_for(polling, WORKER_START, f"worker {self.started} to poll its task queue")

    def kill(self) -> None:
        assert self.current is not None
        os.killpg(self.current.pid, signal.SIGKILL)
        self.current.wait(30)
        assert self.current.returncode == -signal.SIGKILL
        self.current = None

    def replace(self, *, mail_refused: bool = False) -> None:
        self.kill()
        self.start(mail_refused=mail_refused)

    def stop(self) -> None:
        if self.current is not None:
            self.kill()


@pytest.fixture
def stack(temporal_address, clean_db, mailbox, vies, tmp_path) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        **make_env(clean_db, mailbox.port, vies),
        "TEMPORAL_ADDRESS": temporal_address,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
        "WORKER_METRICS_ADDRESS": "",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "create-admin", ADMIN]
        + ["--password-stdin"],
        cwd=REPO,
        env=env,
        input=ADMIN_PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=True,
    )
    with open(tmp_path / "web.log", "wb") as web_log:
        web = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        )
    workers = Workers(env, tmp_path)
    engine = make_engine(clean_db)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield {"base": f"http://127.0.0.1:{port}", "env": env, "workers": workers, "db": engine}
    finally:
        workers.stop()
        web.terminate()
        try:
            web.wait(20)
        except subprocess.TimeoutExpired:
            web.kill()
        engine.dispose()


def test_a_worker_killed_between_any_two_steps_loses_nothing(
    stack: dict, mailbox: Mailbox, temporal_address: str, loop_thread
) -> None:
    base, workers, engine = stack["base"], stack["workers"], stack["db"]
    client = loop_thread.run(Client.connect(temporal_address))

    def scalar(query):  # type: ignore[no-untyped-def]
        with engine.connect() as conn:
            return conn.execute(query).scalar()

    def status() -> str | None:
        return scalar(select(Registration.status).where(Registration.email == APPLICANT))

    def ledger(kind: c.EmailKind) -> int:
        return scalar(select(func.count(SentEmail.id)).where(SentEmail.kind == kind.value))

    def sent(to: str, subject: str, kind: c.EmailKind) -> bool:
        """In the sink and in the ledger: the email step is over, nothing of it in flight."""
        arrived = any(subject in m.subject for m in mailbox.messages(to))
        return arrived and ledger(kind) >= 1

    def email_attempt_failed(kind: c.EmailKind) -> bool:
        """The email's delivery (its OutboxMailWorkflow) failed once and waits on the
        server for its retry."""
        reg_id = scalar(select(Registration.id).where(Registration.email == APPLICANT))
        outbox_id = c.outbox_id_for(c.workflow_id_for(reg_id), kind.value)
        handle = client.get_workflow_handle(c.mail_workflow_id_for(outbox_id))
        try:
            described = loop_thread.run(handle.describe())
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return False  # not queued yet
            raise
        return any(
            pending.activity_type.name == c.ACTIVITY_SEND_OUTBOX_MAIL
            and pending.HasField("last_failure")
            for pending in described.raw_description.pending_activities
        )

    # The administrator logs in (and enrols the second factor) before anything runs.
    admin = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
    admin.get("/?lang=en")
    enrol = post_form(admin, "/admin/login", {"email": ADMIN, "password": ADMIN_PASSWORD})
    assert str(enrol.url).endswith("/admin/login/enrol")
    queue = enrol_from_page(admin)
    assert queue.status_code == 200 and "/admin/" in str(queue.url)

    # Step 1, VIES: the worker checks the VAT number; its email attempt is refused.
    workers.start(mail_refused=True)
    applicant = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
    form = {
        "user_type": "MOTORCYCLE",
        "country": "HU",
        "company_name": "Kovács és Társa Autójavító Kft.",
        "street": "Váci út 22.",
        "postcode": "1132",
        "city": "Budapest",
        "vat_number": "12345676",
        "rep_first_name": "Bea",
        "rep_last_name": "Tisza",
        "contact_person": "Tisza Bea",
        "phone": "+36 1 234 5678",
        "email": APPLICANT,
        "password": "Tisza partján 2026 tavasszal",
        "accept_terms": "y",
    }
    page = post_form(applicant, "/register/one-page?lang=en", form)
    assert "/status/" in str(page.url), page.text[:500]
    wait_for(
        lambda: status() == c.Status.AWAITING_EMAIL_CONFIRMATION,
        STEP,
        "the VIES answer (status AWAITING_EMAIL_CONFIRMATION in the database)",
    )
    wait_for(
        lambda: email_attempt_failed(c.EmailKind.CONFIRMATION),
        STEP,
        "the refused confirmation email attempt",
    )
    assert mailbox.messages(APPLICANT) == []

    # Killed between VIES and the confirmation email.
    workers.replace()
    wait_for(
        lambda: sent(APPLICANT, "Confirm your AOS registration", c.EmailKind.CONFIRMATION),
        STEP,
        "the confirmation email (sink and ledger)",
    )

    # Killed between the confirmation email and the applicant's confirmation.
    workers.replace()
    [mail] = mailbox.messages(APPLICANT)
    link = re.search(rf"{re.escape(base)}(/confirm/[\w.\-]+)", mail.text)
    assert link is not None, mail.text
    applicant.get("/?lang=en")
    confirmed = post_form(applicant, link.group(1), {})
    assert "Email address confirmed" in confirmed.text
    wait_for(
        lambda: status() == c.Status.AWAITING_REVIEW,
        STEP,
        "the confirmation (status AWAITING_REVIEW in the database)",
    )
    wait_for(
        lambda: ledger(c.EmailKind.REVIEW_REQUESTED) == 1 and mailbox.messages(REVIEWERS),
        STEP,
        "the reviewers' email (sink and ledger)",
    )

    # Killed between the review request and the approval; the next worker's mail is
    # refused, so the activation email waits for the next kill.
    workers.replace(mail_refused=True)
    reg_id = scalar(select(Registration.id).where(Registration.email == APPLICANT))
    detail_path = f"/admin/registrations/{reg_id}"
    detail = admin.get(detail_path)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', detail.text)
    token = TOKEN.search(detail.text)
    assert nonce is not None and token is not None, detail.text[:500]
    decided = admin.post(
        f"{detail_path}/decision",
        data={"csrf_token": token.group(1), "nonce": nonce.group(1), "action": "approve"}
        | {"reason": ""},
    )
    assert "Approved" in decided.text
    wait_for(
        lambda: status() == c.Status.APPROVED,
        STEP,
        "the approval (status APPROVED in the database)",
    )
    wait_for(
        lambda: scalar(select(Account.active).where(Account.email == APPLICANT)),
        STEP,
        "the applicant's active account",
    )
    wait_for(
        lambda: email_attempt_failed(c.EmailKind.ACTIVATED),
        STEP,
        "the refused activation email attempt",
    )
    assert len(mailbox.messages(APPLICANT)) == 1

    # Killed between the activation and its email.
    workers.replace()
    wait_for(
        lambda: sent(APPLICANT, "account is active", c.EmailKind.ACTIVATED),
        STEP,
        "the activation email (sink and ledger)",
    )

    # Killed once more after the last email: the run and every delivery end completed.
    workers.replace()
    handle = client.get_workflow_handle(c.workflow_id_for(reg_id))
    assert loop_thread.run(handle.result(rpc_timeout=None), timeout=STEP) == "APPROVED"
    for kind in (c.EmailKind.CONFIRMATION, c.EmailKind.REVIEW_REQUESTED, c.EmailKind.ACTIVATED):
        outbox_id = c.outbox_id_for(c.workflow_id_for(reg_id), kind.value)
        delivery = client.get_workflow_handle(c.mail_workflow_id_for(outbox_id))
        loop_thread.run(delivery.result(rpc_timeout=None), timeout=STEP)
        described = loop_thread.run(delivery.describe())
        assert described.status == WorkflowExecutionStatus.COMPLETED, kind
    assert workers.started == 6

    assert status() == c.Status.APPROVED
    assert scalar(select(Account.active).where(Account.email == APPLICANT)) is True
    to_applicant = sorted(m.subject for m in mailbox.messages(APPLICANT))
    assert len(to_applicant) == 2, to_applicant  # confirmation and activation, once each
    assert any("account is active" in subject for subject in to_applicant)
    assert len(mailbox.messages(REVIEWERS)) == 1
    with engine.connect() as conn:
        kinds = conn.execute(select(SentEmail.kind, func.count()).group_by(SentEmail.kind))
        assert dict(kinds.all()) == {"confirmation": 1, "review_requested": 1, "activated": 1}
    home = post_form(
        applicant, "/login", {"email": APPLICANT, "password": "Tisza partján 2026 tavasszal"}
    )
    assert str(home.url).endswith("/portal/")
