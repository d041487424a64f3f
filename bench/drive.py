"""Applicants and administrators over HTTP, as their browsers would: GET the form, POST it
with its CSRF token, follow the redirects; mail is read from the stack's SMTP sink."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import httpx
import pyotp
from sqlalchemy import create_engine, select

from bench.stack import ADMIN_PASSWORD, Stack
from core.models import Registration

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NONCE = re.compile(r'name="nonce" type="hidden" value="(\w+)"')
COMPANY = {
    "user_type": "WORKSHOP",
    "country": "HU",
    "company_name": "Kovács és Társa Autójavító Kft.",
    "street": "Váci út 22.",
    "postcode": "1132",
    "city": "Budapest",
    "vat_number": "12345676",
    "rep_first_name": "Anna",
    "rep_last_name": "Kovács",
    "contact_person": "Kovács Anna",
    "phone": "+36 1 234 5678",
    "password": "Váci úti műhely 2026",
    "accept_terms": "y",
}


class DriveError(RuntimeError):
    """A step did not give what a person would have seen."""


def _client(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=60)


ENROL_SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


def _post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = client.get(path)
    found = TOKEN.search(page.text)
    if found is None:
        raise DriveError(f"no form on {path} (HTTP {page.status_code})")
    return client.post(path, data={**data, "csrf_token": found.group(1)})


@dataclass
class Submitted:
    email: str
    seconds: float  # POST "Send Registration" until the answer page arrived
    status_url: str


def submit(stack: Stack, email: str) -> Submitted:
    """One "Send Registration" on the one-page form; times the POST and its redirect."""
    with _client(stack) as client:
        page = client.get("/register/one-page?lang=en")
        token = TOKEN.search(page.text)
        if token is None:
            raise DriveError(f"no registration form (HTTP {page.status_code})")
        started = time.perf_counter()
        answer = client.post(
            "/register/one-page",
            data={**COMPANY, "email": email, "csrf_token": token.group(1)},
        )
        seconds = time.perf_counter() - started
    if answer.status_code != 200 or "/status/" not in str(answer.url):
        raise DriveError(f"Send Registration for {email}: HTTP {answer.status_code} {answer.url}")
    return Submitted(email, seconds, str(answer.url))


def resend_ms(stack: Stack, status_url: str, rounds: int) -> list[float]:
    """ "Send again" on a status page `rounds` times (inside the cool-down after the first):
    each POST's milliseconds, its redirect not followed."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        page = client.get(status_url)
        token = TOKEN.search(page.text)
        if token is None:
            raise DriveError(f"no resend form on {status_url} (HTTP {page.status_code})")
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = client.post(f"{status_url}/resend", data={"csrf_token": token.group(1)})
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 302:
                raise DriveError(f"Send again: HTTP {answer.status_code}")
    return times


def page_ms(stack: Stack, path: str, rounds: int) -> list[float]:
    """GET `path` `rounds` times: each answer's milliseconds."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise DriveError(f"{path}: HTTP {answer.status_code}")
    return times


def confirm(stack: Stack, email: str, timeout: float = 120) -> None:
    """Open the confirmation email's link and press its button."""
    [mail] = stack.mail.wait_for(email, 1, timeout)
    link = next((u for u in mail.links() if "/confirm/" in u), None)
    if link is None:
        raise DriveError(f"no confirmation link in the email to {email}")
    with _client(stack) as client:
        client.get("/?lang=en")
        done = _post_form(client, link.removeprefix(stack.base_url), {})
    if "Email address confirmed" not in done.text:
        raise DriveError(f"confirming {email}: HTTP {done.status_code}")


class Administrator:
    """One reviewer, logged in to the console once (password, then the TOTP enrolment)."""

    def __init__(self, stack: Stack, email: str) -> None:
        self.stack = stack
        self.email = email
        self.engine = create_engine(stack.env["DATABASE_URL"])
        stack.create_admin(email)
        self.client = _client(stack)
        self.client.get("/?lang=en")
        enrol = _post_form(
            self.client, "/admin/login", {"email": email, "password": ADMIN_PASSWORD}
        )
        if not str(enrol.url).endswith("/admin/login/enrol"):
            raise DriveError(f"console login of {email} did not ask for enrolment: {enrol.url}")
        # The enrolment page shows a fresh secret on each GET, stored only once a code
        # confirms it: the code comes from the secret of the very page that is posted.
        page = self.client.get("/admin/login/enrol")
        found, secret = TOKEN.search(page.text), ENROL_SECRET.search(page.text)
        if found is None or secret is None:
            raise DriveError(f"no enrolment form for {email} (HTTP {page.status_code})")
        code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
        queue = self.client.post(
            "/admin/login/enrol", data={"code": code, "csrf_token": found.group(1)}
        )
        if "/admin/" not in str(queue.url) or queue.status_code != 200:
            raise DriveError(f"console enrolment of {email} failed: {queue.url}")

    def registration_id(self, applicant: str, timeout: float = 60) -> str:
        """The id the console's queue links to, once the applicant has confirmed."""
        query = select(Registration.id).where(
            Registration.email == applicant, Registration.email_confirmed_at.is_not(None)
        )
        deadline = time.monotonic() + timeout
        while True:
            with self.engine.connect() as conn:
                found = conn.execute(query).scalar()
            if found:
                return found
            if time.monotonic() > deadline:
                raise DriveError(f"{applicant}'s registration never reached the review queue")
            time.sleep(0.05)

    def approve(self, applicant: str) -> None:
        path = f"/admin/registrations/{self.registration_id(applicant)}"
        detail = self.client.get(path)
        nonce, token = NONCE.search(detail.text), TOKEN.search(detail.text)
        if nonce is None or token is None:
            raise DriveError(f"no decision form on {path} (HTTP {detail.status_code})")
        form = {"csrf_token": token.group(1), "nonce": nonce.group(1), "action": "approve"}
        decided = self.client.post(f"{path}/decision", data={**form, "reason": ""})
        if "Approved" not in decided.text:
            raise DriveError(f"approving {applicant}: HTTP {decided.status_code}")

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()


def lifecycle(stack: Stack, admin: Administrator, email: str) -> float:
    """Submit → confirmation mail → confirm → console approval → activation mail; seconds."""
    started = time.perf_counter()
    submit(stack, email)
    confirm(stack, email)
    admin.approve(email)
    stack.mail.wait_for_subject(email, "account is active", timeout=120)
    return time.perf_counter() - started
