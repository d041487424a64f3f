"""Applicants and reviewers as `make chaos` plays them: over HTTP, as a browser would."""

from __future__ import annotations

import html
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp

from bench.drive import COMPANY
from bench.drive import TOKEN as CSRF
from devtools.mailcatcher import _ID_RE, _SUFFIX, StoredMessage, _read

# The same sample company and form fields as `make bench` (bench/drive.py), typed as the
# VIES stand-in holds it; the VAT number with its prefix, as applicants often type it.
FORM = {**COMPANY, "vat_number": "HU" + COMPANY["vat_number"]}
MISMATCH_NAME = "Kovacs es Tarsa Autojavito Kft."
REFUSED_PATIENCE = 120.0
CONFIRM_REJECT = 'name="confirmed" value="yes"'
INPUT = re.compile(r"<input[^>]*>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
RECEIVED = "received"  # the console's answer when Temporal did not: never pressed again
# "Ask for changes once": the reviewer asks for the phone number, the applicant sends this.
CORRECTED_PHONE = "+36 1 234 5679"


@dataclass
class Answer:
    at: float
    what: str
    status: int


@dataclass
class Http:
    """Every answer the stack gave, for the 5xx figure."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, base: str, ip: str) -> httpx.Client:
        def note(response: httpx.Response) -> None:
            what = f"{response.request.method} {response.request.url.path.split('/')[1]}"
            with self.lock:
                self.answers.append(Answer(time.monotonic(), what, response.status_code))

        return httpx.Client(
            base_url=base,
            headers={"X-Forwarded-For": ip},
            timeout=45,
            event_hooks={"response": [note]},
        )


class InFlight:
    """The actors' Update-carrying POSTs (confirm, correction, decision, ask for changes)
    sent and not yet answered: the Temporal SIGKILL fault waits on this, not on a clock."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._started: dict[int, tuple[str, float]] = {}
        self.sent: Counter[str] = Counter()

    @contextmanager
    def sending(self, what: str) -> Iterator[None]:
        key = threading.get_ident()
        with self._changed:
            self._started[key] = (what, time.monotonic())
            self.sent[what] += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._started.pop(key, None)

    def wait(self, timeout: float) -> tuple[str, float] | None:
        """The oldest POST in flight (what, when it was sent), once there is one."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._started, max(timeout, 0)):
                return None
            return min(self._started.values(), key=lambda item: item[1])

    def oldest(self) -> tuple[str, float] | None:
        """The oldest POST in flight now, if any."""
        with self._changed:
            return min(self._started.values(), key=lambda item: item[1], default=None)


class Mailbox:
    """The SMTP sink's directory, read incrementally (each file parsed once)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._seen: dict[str, StoredMessage] = {}
        self._lock = threading.Lock()

    def messages(self) -> list[StoredMessage]:
        with self._lock:
            if self.directory.is_dir():
                for path in self.directory.glob(f"*{_SUFFIX}"):
                    if path.stem not in self._seen and _ID_RE.fullmatch(path.stem):
                        try:
                            self._seen[path.stem] = _read(path)
                        except (OSError, ValueError):
                            continue  # still being written: next time
            return list(self._seen.values())

    def find(self, to: str, purpose: str) -> StoredMessage | None:
        for message in self.messages():
            if to in message.recipients and f".{purpose}@" in (message.message_id or ""):
                return message
        return None


def _csrf(client: httpx.Client, path: str) -> str | None:
    page = client.get(path)
    match = CSRF.search(page.text) if page.status_code == 200 else None
    return match.group(1) if match else None


@dataclass
class Applicant:
    index: int
    fate: str  # approve | reject | expire | mismatch | changes (asked once, then approved)
    email: str = ""
    acknowledged: bool = False  # the web app took the registration (stored or started)
    confirmed: bool = False
    corrected: bool = False
    notes: list[str] = field(default_factory=list)
    in_flight: InFlight = field(default_factory=InFlight, repr=False)

    def __post_init__(self) -> None:
        self.email = f"chaos{self.index}@workshop{self.index}.hu"

    @property
    def ip(self) -> str:
        return f"10.77.{self.index // 250}.{self.index % 250 + 1}"

    def register(self, client: httpx.Client, deadline: float) -> None:
        form = {**FORM, "email": self.email}
        if self.fate == "mismatch":
            form["company_name"] = MISMATCH_NAME
        while time.monotonic() < deadline and not self.acknowledged:
            try:
                token = _csrf(client, "/register/one-page?lang=en")
                if token is None:
                    time.sleep(2)
                    continue
                response = client.post("/register/one-page", data={**form, "csrf_token": token})
            except httpx.HTTPError as err:
                self.notes.append(f"register: {err!r}")
                time.sleep(2)
                continue
            if response.status_code in (302, 303) or (
                self.fate == "mismatch" and response.status_code == 422
            ):
                self.acknowledged = True
            elif response.status_code >= 500 or response.status_code == 429:
                time.sleep(2)
            else:
                self.notes.append(f"register answered {response.status_code}")
                return

    def confirm(self, client: httpx.Client, mailbox: Mailbox, deadline: float) -> None:
        link = _link(mailbox, self.email, "confirmation", "/confirm/", deadline)
        # 202: received while Temporal is silent, "you do not need to click again" (the inbox
        # delivers it), so the applicant does not. The page says so on a reload too. 409
        # once it is past confirmation (an answer lost in an outage, already moved on).
        self.confirmed = self._send(
            client, link, {}, (200, 202), "confirm", deadline, "already confirmed|not need to"
        )

    def correct(self, client: httpx.Client, mailbox: Mailbox, deadline: float) -> None:
        """Follow the "please change" email's link and send the corrected phone number."""
        link = _link(mailbox, self.email, "changes_requested-1", "/changes/", deadline)
        # 200: back in review; 202: handed over, VIES still to answer. The email comes once
        # the round is recorded, so a closed round means an earlier answer was lost.
        form = {"phone": CORRECTED_PHONE}
        self.corrected = self._send(
            client, link, form, (200, 202), "correct", deadline, "No changes are asked for"
        )

    def _send(
        self,
        client: httpx.Client,
        link: str | None,
        form: dict[str, str],
        done: tuple[int, ...],
        what: str,
        deadline: float,
        settled: str = "",
    ) -> bool:
        """Open the page, post its form until it answers one of `done`, or the page says
        `settled` (done before), or the deadline; a person gives up on a page that has
        refused (409) for REFUSED_PATIENCE seconds on end (noted: the action was lost)."""
        refused_since: float | None = None
        while link and time.monotonic() < deadline:
            try:
                page = client.get(link)
                if settled and any(phrase in page.text for phrase in settled.split("|")):
                    return True
                if refused_since and time.monotonic() - refused_since > REFUSED_PATIENCE:
                    self.notes.append(f"{what}: gave up, refused {REFUSED_PATIENCE:.0f} s")
                    return False
                if page.status_code == 409:
                    refused_since = refused_since or time.monotonic()
                match = CSRF.search(page.text) if page.status_code == 200 else None
                token = match.group(1) if match else None
                if token is None:
                    time.sleep(1)
                    continue
                with self.in_flight.sending(what):
                    response = client.post(link, data={**form, "csrf_token": token})
            except httpx.HTTPError as err:
                self.notes.append(f"{what}: {err!r}")
                time.sleep(2)
                continue
            if response.status_code in done:
                return True
            # The page may offer the button while the post is refused: both count.
            refused = response.status_code == 409
            refused_since = (refused_since or time.monotonic()) if refused else None
            time.sleep(2)
        return False


def _hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


def _link(mailbox: Mailbox, to: str, purpose: str, path: str, deadline: float) -> str | None:
    """The portal link (its path) in the email of that purpose, once it has arrived."""
    pattern = re.compile(rf"https?://[^/\s]+({re.escape(path)}[\w.\-]+)")
    while time.monotonic() < deadline:
        message = mailbox.find(to, purpose)
        found = pattern.search(message.text) if message is not None else None
        if found:
            return found.group(1)
        time.sleep(1)
    return None


class Reviewer:
    """A console administrator: password, then TOTP, then approve/reject on the detail page."""

    def __init__(
        self, email: str, password: str, secret: str, client: httpx.Client, in_flight: InFlight
    ) -> None:
        self.email, self.password, self.totp = email, password, pyotp.TOTP(secret)
        self.client, self.in_flight = client, in_flight
        self._last_step = -1
        self.logged_in = False

    def login(self) -> bool:
        try:
            token = _csrf(self.client, "/admin/login?lang=en")
            if token is None:
                return False
            form = {"email": self.email, "password": self.password, "csrf_token": token}
            first = self.client.post("/admin/login", data=form)
            if first.status_code != 302:
                return False
            step_path = first.headers["Location"]
            token = _csrf(self.client, step_path)
            step = int(time.time() // self.totp.interval)
            while step <= self._last_step:  # a code is accepted once
                time.sleep(1)
                step = int(time.time() // self.totp.interval)
            self._last_step = step
            code = self.totp.generate_otp(step)
            done = self.client.post(step_path, data={"code": code, "csrf_token": token})
            self.logged_in = done.status_code == 302 and done.headers["Location"] == "/admin/"
        except httpx.HTTPError:
            self.logged_in = False
        return self.logged_in

    def ask_for_changes(self, registration_id: str) -> str:
        """Tick "Phone", write the message, press Ask for changes; what the console said."""
        form = {
            "changes-groups": "phone",
            "changes-message": "Chaos run: your phone number has a digit missing.",
        }
        return self._press(registration_id, "changes", "changes-", form, "Changes requested")

    def decide(self, registration_id: str, approve: bool) -> str:
        """Open the detail page and press the button; what the console said."""
        form = {"action": "approve", "reason": ""}
        if not approve:
            form.update(action="reject", reason_code="not_verifiable", reason="Chaos run.")
        return self._press(registration_id, "decision", "", form, "Decision recorded")

    def _press(
        self, registration_id: str, action: str, prefix: str, form: dict[str, str], done: str
    ) -> str:
        """Post one of the detail page's forms (its fields named with `prefix`) and read
        the console's answer on the page it returns to."""
        path = f"/admin/registrations/{registration_id}?lang=en"
        nonce_re = re.compile(rf'name="{prefix}nonce" type="hidden" value="(\w+)"')
        token_re = re.compile(rf'name="{prefix}csrf_token" (?:type="hidden" )?value="([^"]+)"')
        try:
            page = self.client.get(path)
            if page.status_code in (302, 303):
                self.logged_in = False
                return "logged out"
            nonce, token = nonce_re.search(page.text), token_re.search(page.text)
            if page.status_code != 200 or nonce is None or token is None:
                return f"no {action} form ({page.status_code})"
            form = {f"{prefix}csrf_token": token.group(1), f"{prefix}nonce": nonce.group(1), **form}
            url = f"/admin/registrations/{registration_id}/{action}"
            if form.get("action") == "reject":  # first step: no Update yet
                answer = self.client.post(url, data=form)
                if answer.status_code == 200 and CONFIRM_REJECT in answer.text:
                    # What the applicant will read, and Reject once more.
                    form = {**_hidden_fields(answer.text), "action": "reject"}
            if form.get("action") != "reject" or form.get("confirmed") == "yes":
                with self.in_flight.sending(action):
                    answer = self.client.post(url, data=form)
            if answer.status_code != 302:
                return f"{action} answered {answer.status_code}"
            after = self.client.get(path).text
        except httpx.HTTPError as err:
            return f"error {err!r}"
        if "need to decide again" in after or "need to send it again" in after:
            return RECEIVED  # stored, Temporal silent: the inbox delivers it
        for phrase in (done, "not confirmed yet", "did not answer", "Another"):
            if phrase in after:
                return phrase
        return "no message"
