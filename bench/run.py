"""`make bench`: speed and memory of the whole portal, each figure beside a same-run reference.

    .venv/bin/python -m bench [-n 30] [--concurrency 4] [--open 1000] [--store memory|file]
                              [--submits 24] [--json] [--only submit|lifecycle|open]
                              [--py-spy DIR]

Figures (one line each, `name key=value …`):
- argon2_ms: median of 10 password hashes — the CPU every registration must spend;
- submit_c1/c4/c16: "Send Registration" (POST and its redirect to the status page) at 1, 4 and
  16 in flight: p50, p95, throughput, and p50 ÷ argon2_ms;
- lifecycle: N full HTTP lifecycles (submit → mail → confirm → console approval → activation
  mail) with `--concurrency` in flight, per second and p50, beside a bare Temporal skeleton of
  the same shape on the same server, and their ratio; beside them the CPU milliseconds each
  process spent per lifecycle (temporal, worker, web, vies, and this driver), and the same
  for the skeleton (`skeleton_cpu`): on 2 cores the ratio follows the CPU per lifecycle;
- busy_worker/busy_web (with `--py-spy DIR`): what py-spy saw those processes busy with
  during the lifecycles, as shares (bench/profile.py);
- history_events: events in a happy-path registration's workflow history (and the skeleton's);
- vies_split: the VIES address split/match on issue 24's adversarial texts, median ms and
  ratio to a real address's split in the same run (bench/addresses.py; no stack needed);
- decoy_resend: "Send again" inside the cool-down on a new registration's status page and on
  the decoy an address with an open registration gets (ASVS V6.3.8), and each status page
  itself: p50 of each, their ratios;
- open: RSS of worker, each web process and Temporal before and after K more registrations
  wait on their confirmation timers, and worker bytes per open registration.
Ratios, not absolute times, are what compare across runs: the machines are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench import addresses, drive, profile, seed, skeleton
from bench.stack import Stack, StackOptions
from core.passwords import hash_password
from workflows import contracts as c

MB = 1024 * 1024
# What `--only` can pick; history_events comes with the lifecycle (its sample registration).
PARTS = ("submit", "lifecycle", "open", "vies_split", "decoy")


def argon2_ms(rounds: int = 10) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        hash_password("a password of ordinary length 2026")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _emails(prefix: str, count: int) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"{prefix}-{run}-{i}@bench.aos" for i in range(count)]


def submits(stack: Stack, count: int, in_flight: int) -> dict[str, float]:
    emails = _emails(f"submit{in_flight}", count)
    started = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        done = list(pool.map(lambda email: drive.submit(stack, email), emails))
    wall = time.perf_counter() - started
    seconds = [s.seconds * 1000 for s in done]
    return {
        "p50_ms": statistics.median(seconds),
        "p95_ms": percentile(seconds, 0.95),
        "per_s": count / wall,
    }


def own_cpu() -> float:
    """CPU seconds of this process (the driver, the mail sink, the skeleton's worker)."""
    times = os.times()
    return times.user + times.system


class CpuMeter:
    """CPU milliseconds each process spent between start() and per(count)."""

    def __init__(self, stack: Stack, names: tuple[str, ...]) -> None:
        self.stack, self.names = stack, names
        self.before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        return {**{name: self.stack.cpu(name) for name in self.names}, "driver": own_cpu()}

    def start(self) -> None:
        self.before = self._now()

    def per(self, count: int) -> dict[str, float]:
        after = self._now()
        used = {name: (after[name] - self.before[name]) * 1000 / count for name in after}
        return {f"cpu_ms_{name}": value for name, value in used.items()}


def lifecycles(
    stack: Stack, n: int, in_flight: int, profile_dir: Path | None = None
) -> tuple[dict[str, float], str, dict[str, dict[str, float]]]:
    """N lifecycles, one administrator per slot; returns figures, one registration id and,
    with `profile_dir`, what py-spy saw the worker and the web processes doing."""
    admins = [drive.Administrator(stack, f"reviewer{i}@bench.aos") for i in range(in_flight)]
    emails = _emails("life", n)
    meter = CpuMeter(stack, ("temporal", "worker", "web", "vies"))
    shares: dict[str, dict[str, float]] = {}
    try:
        drive.lifecycle(stack, admins[0], emails[0])  # warm-up, and the history sample
        sample = admins[0].registration_id(emails[0])
        with contextlib.ExitStack() as sampling:
            if profile_dir is not None:
                shares = sampling.enter_context(profile.profiled(stack, profile_dir))
            meter.start()
            started = time.perf_counter()
            with ThreadPoolExecutor(in_flight) as pool:
                futures = [
                    pool.submit(drive.lifecycle, stack, admins[i % in_flight], email)
                    for i, email in enumerate(emails[1:])
                ]
                seconds = [f.result() for f in futures]
            wall = time.perf_counter() - started
            cpu = meter.per(len(seconds))
    finally:
        for admin in admins:
            admin.close()
    figures = {"per_s": len(seconds) / wall, "p50_ms": statistics.median(seconds) * 1000}
    return {**figures, **cpu}, sample, shares


async def history_events(address: str, registration_id: str) -> dict[str, int]:
    """The count, and what it is made of: workflow tasks (3 events each, one per wake-up),
    activities (3 each), local activities (1 marker each), timers, updates."""
    client = await Client.connect(address)
    handle = client.get_workflow_handle(c.workflow_id_for(registration_id))
    events = (await handle.fetch_history()).events
    kinds = Counter(EventType.Name(event.event_type) for event in events)
    return {
        "registration": len(events),
        "workflow_tasks": kinds["EVENT_TYPE_WORKFLOW_TASK_COMPLETED"],
        "activities": kinds["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"],
        "local_activities": kinds["EVENT_TYPE_MARKER_RECORDED"],
        "timers": kinds["EVENT_TYPE_TIMER_STARTED"],
        "updates": kinds["EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"],
        "search_attribute_upserts": kinds["EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES"],
    }


def decoy_resend(stack: Stack, rounds: int = 30) -> dict[str, float]:
    """The same address sent twice: the first is a new registration, the second the decoy.
    Taken in turns, three times, so both meet the same load."""
    email = f"decoy-{uuid.uuid4().hex[:8]}@bench.example"
    real = drive.submit(stack, email).status_url
    decoy = drive.submit(stack, email).status_url
    times: dict[str, list[float]] = {"real": [], "decoy": [], "real_page": [], "decoy_page": []}
    for _ in range(3):
        times["real"] += drive.resend_ms(stack, real, rounds // 3)
        times["decoy"] += drive.resend_ms(stack, decoy, rounds // 3)
        times["real_page"] += drive.page_ms(stack, real, rounds // 3)
        times["decoy_page"] += drive.page_ms(stack, decoy, rounds // 3)
    p50 = {name: statistics.median(values) for name, values in times.items()}
    return {
        "real_p50_ms": p50["real"],
        "decoy_p50_ms": p50["decoy"],
        "ratio": p50["decoy"] / p50["real"],
        "page_real_p50_ms": p50["real_page"],
        "page_decoy_p50_ms": p50["decoy_page"],
        "page_ratio": p50["decoy_page"] / p50["real_page"],
    }


def open_registrations(stack: Stack, k: int) -> dict[str, float]:
    def snapshot() -> dict[str, float]:
        web = stack.rss("web")
        return {
            "worker_mb": stack.rss("worker")[0] / MB,
            "web_mb": max(web) / MB if web else 0.0,
            "temporal_mb": stack.rss("temporal")[0] / MB,
        }

    before = snapshot()
    emails = _emails("open", k)
    seed.seed_open(stack, emails)  # stored and started like the sweep does: no K hashes
    # Open means waiting on the timer: the confirmation email has gone out for each.
    # One deadline for all, scaled with K: at 10,000 the worker needs a while for the VAT
    # checks and emails (a fixed 300 s per address gave up at #877 of 10,000).
    deadline = time.monotonic() + 300 + 0.5 * k
    for done, email in enumerate(emails, 1):
        stack.mail.wait_for(email, 1, timeout=max(1.0, deadline - time.monotonic()))
        if done % 1000 == 0 and done < k:  # how it grows on the way, on stderr
            now = snapshot()
            print(f"open {done}/{k} waiting: " + _line("rss", now), file=sys.stderr, flush=True)
    after = snapshot()
    grown = (after["worker_mb"] - before["worker_mb"]) * MB
    return {
        "k": k,
        **{f"{name}_before": value for name, value in before.items()},
        **after,
        "worker_bytes_per_open": grown / k,
    }


def _line(name: str, figures: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    return " ".join([name, *(f"{key}={show(value)}" for key, value in figures.items())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=30, help="full lifecycles (default 30)")
    parser.add_argument("--concurrency", type=int, default=4, help="lifecycles in flight")
    parser.add_argument("--submits", type=int, default=24, help="submits per in-flight level")
    parser.add_argument(
        "--open",
        type=int,
        default=1000,
        dest="open_k",
        help="registrations left waiting on their timers (default 1000)",
    )
    parser.add_argument(
        "--store", choices=("memory", "file"), default="memory", help="Temporal dev server store"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable); argon2_ms is always measured",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="sample the worker and web processes with py-spy during the lifecycles "
        "(raw stacks into DIR, one busy_<process> line of shares each)",
    )
    args = parser.parse_args(argv)
    parts = set(args.only or PARTS)

    results: dict[str, Any] = {"argon2_ms": argon2_ms()}
    hash_ms = results["argon2_ms"]

    def report(name: str, figures: Any) -> None:
        results[name] = figures
        if not args.json:
            line = _line(name, figures) if isinstance(figures, dict) else f"{name} {figures:.2f}"
            print(line, flush=True)

    if not args.json:
        print(f"argon2_ms {hash_ms:.2f}", flush=True)
    if "vies_split" in parts:
        report("vies_split", addresses.figures())
    if parts - {"vies_split"}:  # the rest needs the whole stack running
        with Stack.running(StackOptions(store=args.store)) as stack:
            submits(stack, 3, 1)  # warm-up: imports, pools, the worker's first tasks
            if "submit" in parts:
                for in_flight in (1, 4, 16):
                    figures = submits(stack, max(args.submits, in_flight), in_flight)
                    figures["p50_per_argon2"] = figures["p50_ms"] / hash_ms
                    report(f"submit_c{in_flight}", figures)
            if "decoy" in parts:
                report("decoy_resend", decoy_resend(stack))
            if "lifecycle" in parts:
                life, sample, shares = lifecycles(stack, args.n, args.concurrency, args.py_spy)
                bare_cpu = CpuMeter(stack, ("temporal",))
                bare_cpu.start()
                bare = asyncio.run(
                    skeleton.measure(stack.temporal_address, args.n, args.concurrency)
                )
                skeleton_cpu = bare_cpu.per(args.n + 2)  # its warm-up and history sample too
                life.update(skeleton_per_s=bare.per_second, ratio=life["per_s"] / bare.per_second)
                life["cpu_ms_total"] = sum(v for k, v in life.items() if k.startswith("cpu_ms_"))
                skeleton_cpu["cpu_ms_total"] = sum(skeleton_cpu.values())
                # What the ratio would be if CPU were all that limits both (2 cores, shared).
                life["cpu_ratio"] = skeleton_cpu["cpu_ms_total"] / life["cpu_ms_total"]
                report("lifecycle", life)
                report("skeleton_cpu", skeleton_cpu)
                for name, figures in shares.items():
                    report(f"busy_{name}", figures)
                events = asyncio.run(history_events(stack.temporal_address, sample))
                report("history_events", {**events, "skeleton": bare.history_events})
            if "open" in parts and args.open_k:
                report("open", open_registrations(stack, args.open_k))
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
