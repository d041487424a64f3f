"""The faults `make chaos` injects, on a fixed timeline, and how long recovery took.

Seconds after the first registration is sent:
  2     VIES fails 30 % of checks (transient MS_UNAVAILABLE) for 180 s
  10 …  a worker SIGKILLed, restarted 2 s later: 5 times, alternating, every 22 s
  40    Temporal stopped; started again 20 s later (same file store)
  120   SMTP refuses connections for 60 s
  150   PostgreSQL restarted (only with --pg-restart-cmd)
"""

from __future__ import annotations

import secrets
import subprocess
import threading
import time

import httpx
from sqlalchemy.orm import Session

from bench.chaos.actors import Mailbox
from bench.chaos.stack import Stack, wait_until
from webapp.models import OutboxMessage

CANARY = "canary@chaos.test"


class Faults:
    def __init__(self, stack: Stack, engine, mailbox: Mailbox, pg_restart_cmd: str) -> None:  # type: ignore[no-untyped-def]
        self.stack, self.engine, self.mailbox = stack, engine, mailbox
        self.pg_restart_cmd = pg_restart_cmd
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

    def run(self, t0: float, stop: threading.Event) -> None:
        plan = [(2.0, self.vies_flaky)]
        plan += [(10.0 + 22 * k, lambda k=k: self.kill_worker(k)) for k in range(5)]
        plan += [(40.0, self.restart_temporal), (120.0, self.smtp_outage)]
        if self.pg_restart_cmd:
            plan.append((150.0, self.restart_postgres))
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
        self.stack.kill_worker(name)
        time.sleep(2)
        self.stack.start_worker(name)
        self._measure(
            f"recovery_worker_kill_{k + 1}_s",
            lambda: self.stack.worker_log(name).count("Worker polling") > polling_before,
        )

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

        def note_window() -> None:
            wait_until(self.stack.ready, 120)
            with self._lock:
                self.temporal_down.append((down, time.monotonic()))

        threading.Thread(target=note_window, daemon=True).start()

    def smtp_outage(self) -> None:
        self.stack.stop_smtp()
        time.sleep(60)
        before = len(self.mailbox.messages())
        self.stack.start_smtp()
        self._figure("fault_smtp_refused_s", 60)
        self._measure("recovery_smtp_first_mail_s", lambda: len(self.mailbox.messages()) > before)

    def restart_postgres(self) -> None:
        subprocess.run(self.pg_restart_cmd, shell=True, check=True, timeout=120)  # noqa: S602
        self._measure("recovery_postgres_web_s", self.stack.ready)
