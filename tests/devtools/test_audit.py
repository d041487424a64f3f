"""Issue 24 finding 9: requirements.lock pins every dependency with hashes, and `make audit`
(devtools/audit.py) says what pip-audit could check: it fails on a known vulnerability, and
says so and passes where the vulnerability service cannot answer. pip-audit's answers are
played back here (a test never needs the network)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from devtools import audit

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements.lock"


def test_the_lock_pins_every_runtime_dependency_within_its_range_with_hashes() -> None:
    pins = dict(pin.lower().split("==") for pin in audit.pinned(LOCK))
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        wanted = Requirement(line)
        name = wanted.name.lower()
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert wanted.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[a-z0-9][a-z0-9._-]*==)", text)[1:]  # [0]: the header comment
    assert len(blocks) == len(pins)
    assert all("--hash=sha256:" in block for block in blocks)
    assert "file://" not in text and "--find-links" not in text  # nothing of this machine


def _playback(dependencies: list[dict] | None, stderr: str = "", code: int = 0):  # type: ignore[no-untyped-def]
    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        assert "--require-hashes" in argv and "--disable-pip" in argv
        if dependencies is not None:
            output = Path(argv[argv.index("--output") + 1])
            output.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
        return subprocess.CompletedProcess(argv, code, "", stderr)

    return run


def test_a_known_vulnerability_fails_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    deps = [
        {"name": "flask", "version": "3.1.2", "vulns": []},
        {
            "name": "jinja2",
            "version": "3.1.4",
            "vulns": [
                {
                    "id": "GHSA-q2x7-8rv6-6q7h",
                    "fix_versions": ["3.1.5"],
                    "aliases": ["CVE-2024-56201"],
                }
            ],
        },
    ]
    assert audit.audit(LOCK, "pypi", run=_playback(deps, code=1)) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE jinja2==3.1.4: GHSA-q2x7-8rv6-6q7h (CVE-2024-56201); fixed in 3.1.5" in out
    assert f"2 of {len(audit.pinned(LOCK))} pinned packages checked, 1 known vulnerabilities" in out


def test_a_clean_audit_says_how_many_were_checked(capsys: pytest.CaptureFixture[str]) -> None:
    deps = [{"name": "flask", "version": "3.1.2", "vulns": []}]
    deps.append({"name": "aos-private", "skip_reason": "Dependency not found on PyPI"})
    assert audit.audit(LOCK, "pypi", run=_playback(deps)) == 0
    assert "1 of" in (out := capsys.readouterr().out) and "none known" in out
    assert "not known to pypi: aos-private" in out


def test_no_data_for_any_package_is_said_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """As on this machine: the PyPI JSON API answers 404 for every package."""
    deps = [
        {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    ]
    assert audit.audit(LOCK, "pypi", run=_playback(deps)) == 0
    assert "pypi has no data for any of the" in capsys.readouterr().out


def test_an_unreachable_service_is_said_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    stderr = "requests.exceptions.ConnectionError: ... Failed to resolve 'api.osv.dev'"
    assert audit.audit(LOCK, "osv", run=_playback(None, stderr, code=1)) == 0
    assert "osv did not answer (offline?): 0 of" in capsys.readouterr().out


def test_pip_audit_failing_otherwise_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.audit(LOCK, "pypi", run=_playback(None, "invalid requirement", code=1)) == 2
    assert "pip-audit failed" in capsys.readouterr().out
