"""`make chaos` / `python -m bench.chaos [-n N] [--db postgresql [--db-url URL]]`.

`--db postgresql` alone runs on a PostgreSQL server of the run's own (devtools/pg_temp.py).

Bounded: every wait has a deadline (--max-seconds overall) and every process started is
stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyotp
from sqlalchemy import MetaData
from sqlalchemy.orm import Session
from temporalio.client import Client

from bench.chaos.actors import RECEIVED, Applicant, Http, InFlight, Mailbox, Reviewer
from bench.chaos.database import Database
from bench.chaos.faults import Faults
from bench.chaos.inbox import action_figures
from bench.chaos.stack import Stack, wait_until
from bench.chaos.verdict import (
    Verdict,
    change_rounds,
    http_figures,
    judge,
    records,
    unfinished,
    workflow_states,
)
from core.db import create_schema, make_engine
from core.models import Account
from core.passwords import hash_password

# approve 1/3, reject, never confirm, VIES mismatch, ask for changes once (then approve) 1/6 each
FATES = ("approve", "reject", "approve", "expire", "mismatch", "changes")
ADMIN_PASSWORD = "chaos console password"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("-n", "--n", type=int, default=100, help="registrations (100)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--db-url",
        default="",
        help="SQLAlchemy URL for --db postgresql (default: a server of the run's own)",
    )
    parser.add_argument(
        "--pg-restart-cmd", default="", help="shell command restarting the --db-url server"
    )
    parser.add_argument("--window", default="5m", help="CONFIRMATION_WINDOW (5m)")
    parser.add_argument("--submit-over", type=float, default=60.0, help="seconds (60)")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="hard bound (900)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    if args.db_url and not (args.db == "postgresql" and args.db_url.startswith("postgresql")):
        parser.error("--db-url postgresql+psycopg://…/<your own db> goes with --db postgresql")
    return args


def _prepare_database(url: str) -> tuple[list[tuple[str, str]], object]:
    engine = make_engine(url)
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)  # a run starts empty (only ever on a database of its own)
    create_schema(engine)
    admins = []
    with Session(engine) as session, session.begin():
        for number in (1, 2):
            secret = pyotp.random_base32()
            email = f"reviewer{number}@chaos.test"
            session.add(
                Account(
                    email=email,
                    role="admin",
                    roles="reviewer",
                    password_hash=hash_password(ADMIN_PASSWORD),
                    totp_secret=secret,
                    totp_enrolled_at=datetime.now(UTC),
                )
            )
            admins.append((email, secret))
    return admins, engine


def _review(
    reviewers: list[Reviewer],
    applicants: list[Applicant],
    engine,  # type: ignore[no-untyped-def]
    stop: threading.Event,
    said: dict[str, int],
) -> None:
    """Decide what waits for review, each reviewer their share; retry a decision that did
    not take effect after a while (the console answer may have been lost)."""
    tried: dict[str, float] = {}
    received: set[tuple[str, str]] = set()  # (registration, action) the console took
    fates = {a.email: a for a in applicants}
    while not stop.wait(2):
        try:
            _review_once(reviewers, fates, engine, tried, said, received)
        except Exception:  # noqa: BLE001 - the database may be restarting: next round
            continue


def _review_once(reviewers, fates, engine, tried, said, received) -> None:  # type: ignore[no-untyped-def]
    for email, reg in records(engine).items():
        applicant = fates.get(email)
        if applicant is None or applicant.fate not in ("approve", "reject", "changes"):
            continue
        if reg.status != "AWAITING_REVIEW" or time.monotonic() - tried.get(reg.id, -1e9) < 30:
            continue
        reviewer = reviewers[applicant.index % len(reviewers)]
        if not reviewer.logged_in and not reviewer.login():
            continue
        asking = applicant.fate == "changes" and not change_rounds(engine, reg.id)
        action = "changes" if asking else "decision"
        if (reg.id, action) in received:
            continue  # "you do not need to decide again": a reviewer believes it
        tried[reg.id] = time.monotonic()
        if asking:
            answer = reviewer.ask_for_changes(reg.id)
        else:  # "changes": asked once; back in review with the correction, approved
            answer = reviewer.decide(reg.id, approve=applicant.fate != "reject")
        if answer == RECEIVED:
            received.add((reg.id, action))
        said[answer] = said.get(answer, 0) + 1


def _applicant(a: Applicant, http: Http, stack: Stack, mailbox: Mailbox, at: float, end: float):  # type: ignore[no-untyped-def]
    time.sleep(max(0.0, at - time.monotonic()))
    with http.client(stack.base, a.ip) as client:
        a.register(client, end)
        if a.acknowledged and a.fate in ("approve", "reject", "changes"):
            a.confirm(client, mailbox, end)
        if a.confirmed and a.fate == "changes":
            a.correct(client, mailbox, end)


async def _final_states(address: str, ids: list[str], end: float) -> dict:  # type: ignore[type-arg]
    """Each workflow's state once none is running any more (or at the deadline)."""
    client = await Client.connect(address)
    while True:
        states = await workflow_states(client, ids)
        if all(state[0] != "RUNNING" for state in states.values()) or time.monotonic() > end:
            return states
        await asyncio.sleep(3)


def _interrupted(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    # SIGTERM (and SIGINT, which a shell's background job ignores otherwise) end the run
    # through its `finally`: every process stopped, the own PostgreSQL removed.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _interrupted)
    started = time.monotonic()
    end = started + args.max_seconds
    workdir = Path(tempfile.mkdtemp(prefix="aos-chaos-"))
    database = Database(args.db, workdir, args.db_url, args.pg_restart_cmd)
    engine = None
    stack = Stack(workdir, database.url, args.window)
    verdict = Verdict()
    last: list[tuple[str, object]] = []  # the inbox figures, printed at the very end
    try:
        admins, engine = _prepare_database(database.url)
        stack.start_temporal()
        stack.start_vies()
        stack.start_smtp()
        stack.start_worker("worker1")
        stack.start_worker("worker2")
        stack.start_web()
        for name in ("worker1", "worker2"):
            if not wait_until(lambda n=name: "Worker polling" in stack.worker_log(n), 120):
                raise RuntimeError(f"{name} did not start polling")
        if not wait_until(stack.ready, 60):
            raise RuntimeError("the web app is not ready")
        verdict.add("setup_seconds", round(time.monotonic() - started, 1))

        http, mailbox, in_flight = Http(), Mailbox(stack.mail_dir), InFlight()
        applicants = [
            Applicant(i, FATES[i % len(FATES)], in_flight=in_flight) for i in range(args.n)
        ]
        reviewers = [
            Reviewer(
                email, ADMIN_PASSWORD, secret, http.client(stack.base, f"10.78.0.{k}"), in_flight
            )
            for k, (email, secret) in enumerate(admins, 1)
        ]
        stop = threading.Event()
        said: dict[str, int] = {}
        faults = Faults(stack, engine, mailbox, database, in_flight)
        t0 = time.monotonic()
        threads = [
            threading.Thread(target=faults.run, args=(t0, stop), daemon=True),
            threading.Thread(target=faults.scrape, args=(stop,), daemon=True),
            threading.Thread(
                target=_review, args=(reviewers, applicants, engine, stop, said), daemon=True
            ),
        ]
        for thread in threads:
            thread.start()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(args.n, 1))
        for a in applicants:
            pool.submit(
                _applicant, a, http, stack, mailbox, t0 + a.index * args.submit_over / args.n, end
            )
        pool.shutdown(wait=True)  # a signal interrupts it, and the `finally` still runs
        # Everyone has sent (and confirmed); now wait for the ends: expiry, decisions.
        wait_until(
            lambda: unfinished(engine, applicants) == 0 and faults.done, end - time.monotonic(), 3
        )
        ids = [r.id for r in records(engine).values()]
        states = asyncio.run(_final_states(stack.env["TEMPORAL_ADDRESS"], ids, end))
        stop.set()
        for thread in threads:
            thread.join(60)
        result = judge(applicants, records(engine), states, mailbox)
        verdict.lines.extend(result.lines)
        http_figures(http.answers, faults.temporal_down, verdict)
        for name, value in faults.figures:
            verdict.add(name, value)
        for answer, count in sorted(said.items()):
            verdict.add(f"console_said[{answer.replace(' ', '_')}]", count)
        notes = sum(len(a.notes) for a in applicants)
        verdict.add("applicant_notes", notes)
        for a in applicants:
            for note in a.notes[:2]:
                verdict.add(f"note[{a.index}]", note.replace(" ", "_")[:120])
        for what, count in sorted(in_flight.sent.items()):
            verdict.add(f"actions_posted[{what}]", count)
        last = action_figures(engine, applicants) + faults.disagreements.figures()
    finally:
        stack.stop_all()
        if engine is not None:
            engine.dispose()  # type: ignore[attr-defined]
        database.close()
        verdict.add("n", args.n)
        verdict.add("db", database.label)
        verdict.add("run_seconds", round(time.monotonic() - started, 1))
        verdict.lines.extend(last)
        verdict.print()
        if args.keep:
            print(f"workdir {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if sys.exc_info()[0] is SystemExit:
            os._exit(sys.exc_info()[1].code)  # type: ignore[union-attr]  # do not wait for the applicants' threads: their stack is gone
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
