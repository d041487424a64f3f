"""The faults `make chaos` injects, on a fixed timeline, and how long recovery took.

Seconds after the first registration is sent:
  2     VIES fails 30 % of checks (transient MS_UNAVAILABLE) for 180 s
  10 …  a worker SIGKILLed, restarted 2 s later: 5 times, alternating, every 22 s
  15    Temporal SIGKILLed while an actor's Update-carrying POST (confirm, correction,
        decision, ask for changes) is unanswered, waiting for one up to 90 s; started again
        5 s later on the same file store. Again from 75 s (the reviewers' decisions).
  40    Temporal stopped (SIGTERM); started again 20 s later (same file store)
  95    the database refuses for 30 s, while reviewers decide (own PostgreSQL stopped;
        SQLite's write lock held: bench/chaos/database.py says why that is its refusal)
  120   SMTP refuses connections for 60 s
  150   the database restarted (own PostgreSQL server, or --pg-restart-cmd)
"""

from __future__ import annotations

import secrets
import threading
import time

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.chaos.actors import InFlight, Mailbox
from bench.chaos.database import Database
from bench.chaos.inbox import Disagreements
from bench.chaos.stack import Stack, wait_until
from core.models import OutboxMessage
from core.models.actions import PersonAction

CANARY = "canary@chaos.test"


class Faults:
    def __init__(  # type: ignore[no-untyped-def]
        self, stack: Stack, engine, mailbox: Mailbox, database: Database, in_flight: InFlight
    ) -> None:
        self.stack, self.engine, self.mailbox = stack, engine, mailbox
        self.database, self.in_flight = database, in_flight
        self.disagreements = Disagreements()
        self.figures: list[tuple[str, object]] = []
        self.temporal_down: list[tuple[float, float]] = []
        self.done = False
        self._lock = threading.Lock()
        self._measuring: list[threading.Thread] = []

    def _figure(self, name: str, value: object) -> None:
        with self._lock:
            self.figures.append((name, value))

    def _measure(self, name: str, check, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
        """Seconds until `check()` holds, measured in the background."""

        def measure() -> None:
            start = time.monotonic()
            ok = wait_until(check, timeout, 0.2)
            self._figure(name, round(time.monotonic() - start, 1) if ok else f">{timeout:.0f}")

        thread = threading.Thread(target=measure, daemon=True)
        thread.start()
        self._measuring.append(thread)

    def scrape(self, stop: threading.Event) -> None:
        """Every worker's disagreement counter, every 3 s until the end (and once after)."""
        while True:
            for name, (incarnation, address) in list(self.stack.workers.items()):
                self.disagreements.scrape(name, incarnation, address)
            if stop.wait(3):
                break
        for name, (incarnation, address) in list(self.stack.workers.items()):
            self.disagreements.scrape(name, incarnation, address)

    def run(self, t0: float, stop: threading.Event) -> None:
        plan = [(2.0, self.vies_flaky)]
        plan += [(10.0 + 22 * k, lambda k=k: self.kill_worker(k)) for k in range(5)]
        plan += [(15.0, lambda: self.kill_temporal(1)), (75.0, lambda: self.kill_temporal(2))]
        plan += [(40.0, self.restart_temporal), (120.0, self.smtp_outage)]
        if self.database.can_restart:
            plan.append((150.0, self.restart_database))
        if self.database.can_refuse:
            plan.append((95.0, self.database_refuses))
        for at, action in sorted(plan, key=lambda item: item[0]):
            if stop.wait(max(0.0, t0 + at - time.monotonic())):
                break
            try:
                action()
            except Exception as err:  # noqa: BLE001 - a fault that failed is a figure too
                self._figure("fault_error", repr(err).replace(" ", "_")[:120])
        for thread in self._measuring:
            thread.join(330)
        self.done = True

    # --- the faults -----------------------------------------------------------------

    def vies_flaky(self) -> None:
        body = {"rate": 0.3, "seconds": 180, "error": "MS_UNAVAILABLE"}
        httpx.post(f"{self.stack.vies_url}/_control/fail-rate", json=body, timeout=10)
        self._figure("fault_vies_failing_seconds", 180)

    def kill_worker(self, k: int) -> None:
        name = ("worker1", "worker2")[k % 2]
        polling_before = self.stack.worker_log(name).count("Worker polling")
        incarnation, address = self.stack.workers[name]
        self.disagreements.scrape(name, incarnation, address)  # its counter dies with it
        self.stack.kill_worker(name)
        time.sleep(2)
        self.stack.start_worker(name)
        self._measure(
            f"recovery_worker_kill_{k + 1}_s",
            lambda: self.stack.worker_log(name).count("Worker polling") > polling_before,
        )

    def kill_temporal(self, k: int) -> None:
        """SIGKILL the Temporal server the moment an Update is in flight: an actor's POST is
        unanswered and the web app has stored the action (a pending inbox row), or 150 ms
        after the POST was sent, for a web app that stores none."""
        deadline = time.monotonic() + 90
        caught = "none"
        while caught == "none" and self.in_flight.wait(deadline - time.monotonic()):
            while (oldest := self.in_flight.oldest()) is not None:
                if self._pending_actions() or time.monotonic() - oldest[1] > 0.15:
                    caught = oldest[0]
                    break
                time.sleep(0.01)
        down = time.monotonic()
        self.stack.kill_temporal()
        self._figure(f"fault_temporal_sigkill_{k}_in_flight", caught)
        self._figure(f"fault_temporal_sigkill_{k}_pending_actions", self._pending_actions())
        time.sleep(5)
        self.stack.start_temporal()
        self._figure(f"fault_temporal_sigkill_{k}_down_s", round(time.monotonic() - down, 1))
        self._measure(f"recovery_temporal_sigkill_{k}_web_s", self.stack.ready)
        self._note_window(down)

    def _pending_actions(self) -> int:
        try:
            with Session(self.engine) as session:
                pending = PersonAction.applied_at.is_(None) & PersonAction.refused_at.is_(None)
                query = select(func.count()).select_from(PersonAction).where(pending)
                return session.scalar(query) or 0
        except Exception:  # noqa: BLE001 - the table may be missing or the database busy
            return 0

    def _note_window(self, down: float) -> None:
        """The 5xx figure forgives answers while Temporal is down and until the web app is
        ready again."""

        def note() -> None:
            wait_until(self.stack.ready, 120)
            with self._lock:
                self.temporal_down.append((down, time.monotonic()))

        threading.Thread(target=note, daemon=True).start()

    def restart_temporal(self) -> None:
        down = time.monotonic()
        self.stack.stop_temporal()
        # Stored while Temporal is away: a worker's sweep must start it once it is back.
        with Session(self.engine) as session, session.begin():
            session.add(
                OutboxMessage(
                    id=secrets.token_hex(8),
                    kind="already_registered",
                    recipient=CANARY,
                    language="en",
                )
            )
        time.sleep(20)
        self.stack.start_temporal()
        up = time.monotonic()
        self._figure("fault_temporal_down_s", round(up - down, 1))
        self._measure("recovery_temporal_web_s", self.stack.ready)
        self._measure(
            "recovery_temporal_worker_outbox_s",
            lambda: any(CANARY in m.recipients for m in self.mailbox.messages()),
        )
        self._note_window(down)

    def smtp_outage(self) -> None:
        self.stack.stop_smtp()
        time.sleep(60)
        before = len(self.mailbox.messages())
        self.stack.start_smtp()
        self._figure("fault_smtp_refused_s", 60)
        self._measure("recovery_smtp_first_mail_s", lambda: len(self.mailbox.messages()) > before)

    def restart_database(self) -> None:
        start = time.monotonic()
        self.database.restart()
        self._figure("fault_db_restart_s", round(time.monotonic() - start, 1))
        self._measure("recovery_db_restart_web_s", self.stack.ready)

    def database_refuses(self) -> None:
        refused = self.database.refuse(30)
        self._figure("fault_db_refused_s", round(refused, 1))
        self._measure("recovery_db_refused_web_s", self.stack.ready)
