"""End to end over real sockets: `temporal server start-dev`, `python worker.py` and
`flask --app webapp run` as separate processes, mail over SMTP, VIES over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from temporalio.client import Client

from tests.conftest import Mailbox, make_env

REPO = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s")


@pytest.fixture
def system(temporal_address, clean_db, mailbox, vies, tmp_path) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        **make_env(clean_db, mailbox.port, vies),
        "TEMPORAL_ADDRESS": temporal_address,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("worker", "web")}  # noqa: SIM115
    procs = [
        subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=REPO,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=logs["web"],
            stderr=subprocess.STDOUT,
        ),
    ]
    admin = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "webapp",
            "create-admin",
            "admin@aos.hu",
            "--password-stdin",
        ],
        cwd=REPO,
        env=env,
        input="e2e admin password 1\n",
        text=True,
        capture_output=True,
        check=True,
    )
    assert "administrator admin@aos.hu" in admin.stdout
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield {"base": f"http://127.0.0.1:{port}", "env": env, "logs": tmp_path}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs.values():
            log.close()


def enrol_from_page(client: httpx.Client, path: str = "/admin/login/enrol") -> httpx.Response:
    """Read the secret the enrolment page shows (nothing is stored before a code confirms
    it) as an authenticator app would scan it, and send its code."""
    page = client.get(path)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    token = TOKEN.search(page.text).group(1)
    return client.post(path, data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})


def post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = client.get(path)
    token = TOKEN.search(page.text).group(1)
    return client.post(path, data={**data, "csrf_token": token})


def test_register_confirm_approve_login_over_real_processes(
    system: dict, mailbox: Mailbox, temporal_address: str, loop_thread
) -> None:
    base = system["base"]
    applicant = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    form = {
        "user_type": "MOTORCYCLE",
        "country": "HU",
        "company_name": "ÖBÖL-MOTOR KFT.",
        "street": "Dózsa György út 1/A.",
        "postcode": "8600",
        "city": "Siófok",
        "vat_number": "38528084",
        "rep_first_name": "Anna",
        "rep_last_name": "Szabó",
        "contact_person": "Szabó Anna",
        "phone": "+36 84 123 456",
        "email": "anna@obol-motor.hu",
        "password": "Balaton partján 2026",
        "accept_terms": "y",
    }
    page = post_form(applicant, "/register/one-page?lang=en", form)
    assert "/status/" in str(page.url)
    assert "Waiting for email confirmation" in page.text

    [mail] = mailbox.wait_for("anna@obol-motor.hu", timeout=30)
    assert mail.message_id.startswith("<registration-")
    confirm = re.search(rf"{re.escape(base)}(/confirm/[\w.\-]+)", mail.text).group(1)
    confirmed = post_form(applicant, confirm, {})
    assert "Email address confirmed" in confirmed.text

    # The operator finds the workflow by its search attributes.
    async def listed() -> list[str]:
        client = await Client.connect(temporal_address)
        query = (
            "RegistrationStatus = 'AWAITING_REVIEW' AND CountryCode = 'HU'"
            " AND VatNumber = 'HU38528084'"
        )
        return [wf.id async for wf in client.list_workflows(query)]

    deadline = time.monotonic() + 30
    while not (found := loop_thread.run(listed())) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(found) == 1 and found[0].startswith("registration-")

    admin = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    admin.get("/?lang=en")
    enrol = post_form(
        admin, "/admin/login", {"email": "admin@aos.hu", "password": "e2e admin password 1"}
    )
    assert str(enrol.url).endswith("/admin/login/enrol")  # first login: set up the second factor
    queue = enrol_from_page(admin)
    assert "ÖBÖL-MOTOR KFT." in queue.text
    detail_path = re.search(r'href="(/admin/registrations/\w+)"', queue.text).group(1)
    detail = admin.get(detail_path)
    nonce = re.search(r'name="nonce" type="hidden" value="(\w+)"', detail.text).group(1)
    token = TOKEN.search(detail.text).group(1)
    decided = admin.post(
        f"{detail_path}/decision",
        data={"csrf_token": token, "nonce": nonce, "action": "approve", "reason": ""},
    )
    assert "Approved, account active" in decided.text

    activated = mailbox.wait_for("anna@obol-motor.hu", 2, timeout=30)[0]
    assert activated.subject == "Your AOS account is active"
    home = post_form(
        applicant, "/login", {"email": "anna@obol-motor.hu", "password": "Balaton partján 2026"}
    )
    assert str(home.url).endswith("/portal/")
    assert "Motorcycles only" in home.text

    worker_log = (system["logs"] / "worker.log").read_text()
    assert "Balaton partján 2026" not in worker_log  # the password never reaches the worker
