"""`make audit`: known vulnerabilities in the pinned dependencies (requirements.lock).

    .venv/bin/python -m devtools.audit [--lock requirements.lock] [--service pypi|osv]

Runs pip-audit on the lock file (exact pins with hashes, so nothing is resolved or installed:
`--disable-pip --require-hashes`) and says in one line what it could check:

- a known vulnerability in a pinned package: each one listed, exit 1 (CI fails);
- every package checked, none known: exit 0;
- the vulnerability service unreachable, or answering for no package (an offline machine: its
  PyPI answers 404 for all of them, OSV does not resolve): it says nothing could be checked
  and exits 0, so `make audit` works offline and fails on a finding where the service answers.
  Packages the service does not know are named.

The lock file is made from pyproject.toml by `make lock` (pip-compile --generate-hashes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements.lock"
# What pip-audit's traceback says when the service cannot be reached at all.
UNREACHABLE = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "ServiceError")

Runner = Callable[[list[str]], subprocess.CompletedProcess[str]]


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)
    not_known: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def pinned(lock: Path) -> list[str]:
    """The `name==version` pins of a pip-compile lock file."""
    lines = (line.split(" ", 1)[0] for line in lock.read_text().splitlines())
    return [line for line in lines if "==" in line and not line.startswith("#")]


def read_report(data: dict) -> Report:
    """pip-audit's JSON: each dependency either audited (`vulns`) or skipped."""
    report = Report()
    for dep in data.get("dependencies", []):
        name = f"{dep['name']}=={dep.get('version', '?')}"
        if "skip_reason" in dep:
            report.not_known.append(dep["name"])
            continue
        report.checked.append(name)
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            also = f" ({aliases})" if aliases else ""
            report.findings.append(f"{name}: {vuln['id']}{also}; fixed in {fixes}")
    return report


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600)


def audit(lock: Path, service: str, run: Runner = _run) -> int:
    total = len(pinned(lock))
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "audit.json"
        done = run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--requirement",
                str(lock),
                "--disable-pip",
                "--require-hashes",
                "--vulnerability-service",
                service,
                "--format",
                "json",
                "--output",
                str(output),
                "--progress-spinner",
                "off",
                "--timeout",
                "10",
            ]
        )
        data = json.loads(output.read_text()) if output.exists() else None
    if data is None:
        if any(marker in done.stderr for marker in UNREACHABLE):
            print(
                f"audit: {service} did not answer (offline?): 0 of {total} pinned packages "
                "checked, nothing is known about them; exit 0"
            )
            return 0
        print(f"audit: pip-audit failed (exit {done.returncode}):\n{done.stderr.strip()}")
        return 2
    report = read_report(data)
    for finding in report.findings:
        print(f"audit: VULNERABLE {finding}")
    if not report.checked:
        print(
            f"audit: {service} has no data for any of the {total} pinned packages (offline?): "
            "0 checked, nothing is known about them; exit 0"
        )
        return 0
    unknown = f"; not known to {service}: {', '.join(report.not_known)}" if report.not_known else ""
    verdict = f"{len(report.findings)} known vulnerabilities" if report.findings else "none known"
    print(f"audit: {len(report.checked)} of {total} pinned packages checked, {verdict}{unknown}")
    return 1 if report.findings else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make audit", description=__doc__.split("\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi")
    args = parser.parse_args(argv)
    return audit(args.lock, args.service)


if __name__ == "__main__":
    sys.exit(main())
