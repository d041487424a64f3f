"""devtools/system_packages.sh, the step of `make test` that installs Debian packages.

The real packages stay installed (other tests need them); the script runs with a PATH of
stand-ins instead: an `id` that says who we are and an `apt-get` that logs its arguments and
"installs" by creating the probed command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "devtools" / "system_packages.sh"
FAKE_APT = """#!/bin/sh
echo "$*" >> "{log}"
if [ "$1" = install ]; then
  for word in "$@"; do
    case "$word" in -*|install) ;; *) {install_action} ;; esac
  done
fi
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


class Machine:
    def __init__(self, tmp_path: Path, *, uid: int = 0, apt: bool = True, works: bool = True):
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.log = tmp_path / "apt.log"
        _executable(self.bin / "id", f"#!/bin/sh\necho {uid}\n")
        # An installed package brings its command, named like the package here.
        action = f'printf "#!/bin/sh\\n" > "{self.bin}/$word"; /bin/chmod +x "{self.bin}/$word"'
        if apt:
            _executable(
                self.bin / "apt-get",
                FAKE_APT.format(log=self.log, install_action=action if works else ":"),
            )

    def run(self, packages: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", str(SCRIPT), *args],
            env={"PATH": str(self.bin), "SYSTEM_PACKAGES": packages},
            capture_output=True,
            text=True,
            timeout=30,
        )

    def apt_calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def test_nothing_missing_installs_nothing(tmp_path: Path) -> None:
    machine = Machine(tmp_path)
    _executable(machine.bin / "chromium", "#!/bin/sh\n")
    result = machine.run(f"chromium=chromium sh-present={SCRIPT}")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == []


def test_root_on_debian_updates_once_then_installs_all_missing(tmp_path: Path) -> None:
    machine = Machine(tmp_path)
    result = machine.run("chromium=chromium docker-compose=docker-compose")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == [
        "update -qq",
        "install -y -qq chromium docker-compose",
    ]
    assert (machine.bin / "chromium").exists() and (machine.bin / "docker-compose").exists()


def test_not_root_says_in_one_line_what_to_install(tmp_path: Path) -> None:
    machine = Machine(tmp_path, uid=1000)
    result = machine.run("chromium=chromium docker-compose=docker-compose")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "apt-get install -y chromium docker-compose" in lines[0]
    assert machine.apt_calls() == []


def test_without_apt_get_says_what_to_install(tmp_path: Path) -> None:
    machine = Machine(tmp_path, apt=False)
    result = machine.run("chromium=chromium")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "chromium" in result.stderr


def test_install_that_brings_nothing_fails_clearly(tmp_path: Path) -> None:
    machine = Machine(tmp_path, works=False)
    result = machine.run("chromium=chromium")
    assert result.returncode == 1
    assert "still not found" in result.stderr and "chromium" in result.stderr


def test_dry_run_shows_the_commands_and_runs_none(tmp_path: Path) -> None:
    machine = Machine(tmp_path)
    result = machine.run("chromium=chromium fonts-liberation=/nonexistent/fonts", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would run: apt-get update -qq" in result.stdout
    assert "would run: apt-get install -y -qq chromium fonts-liberation" in result.stdout
    assert machine.apt_calls() == []


def test_python_module_probe(tmp_path: Path) -> None:
    machine = Machine(tmp_path, uid=1000)
    result = machine.run("python3-venv=python:no_such_module_here", "--dry-run")
    assert result.returncode == 1 and "apt-get install -y python3-venv" in result.stderr
    ok = subprocess.run(
        ["/bin/sh", str(SCRIPT)],
        env={
            "PATH": str(machine.bin),
            "SYSTEM_PACKAGES": "python3-venv=python:ensurepip",
            "PYTHON": sys.executable,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize(
    "package",
    ["chromium=/usr/bin/chromium", "docker-compose=docker-compose", "python3-venv=python:"],
)
def test_default_list_names_what_the_tests_use(package: str) -> None:
    assert package in SCRIPT.read_text()


def test_make_test_runs_the_step_before_pytest() -> None:
    plan = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=30
    ).stdout
    assert "devtools/system_packages.sh" in plan
    assert plan.index("devtools/system_packages.sh") < plan.index("pytest")
