"""The `.env` of `make run`: commands in a second terminal get the development settings;
someone else's `.env` is left alone; production still refuses unsafe settings."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools import dotenv_file
from tests.e2e.test_end_to_end import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What a new terminal has: no app variables, and none of the test suite's.
CLEAN = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def _run(argv: list[str], cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        cwd=cwd,
        env={**CLEAN, "HOME": str(cwd), **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_written_file_names_the_settings_not_the_key(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    env = {
        "AOS_ENV": "development",
        "SECRET_KEY": "the-key-itself",
        "SECRET_KEY_FILE": "/x/var/secret_key",
        "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.local>",
        "VIES_URL": "http://127.0.0.1:8089",
        "PATH": "/usr/bin",
    }
    assert dotenv_file.write(path, env, secret_given=False)
    text = path.read_text()
    assert text.splitlines()[0] == dotenv_file.HEADER
    assert "AOS_ENV='development'" in text and "SECRET_KEY_FILE='/x/var/secret_key'" in text
    assert "the-key-itself" not in text and "PATH" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    from dotenv import dotenv_values

    assert dotenv_values(path)["MAIL_DEFAULT_SENDER"] == "AOS Portal <noreply@aos.local>"


def test_make_runs_own_children_skip_any_env(tmp_path: Path) -> None:
    from devtools.run import build_environment

    env, _ = build_environment({}, tmp_path, python="/nonexistent/python")
    assert env["FLASK_SKIP_DOTENV"] == "1"  # they are configured by make run alone


def test_someone_elses_env_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    production = "SECRET_KEY=prod\nPOSTGRES_PASSWORD=pw\n"
    path.write_text(production)
    assert not dotenv_file.write(path, {"AOS_ENV": "development"}, secret_given=False)
    assert path.read_text() == production


def test_flask_refuses_with_a_production_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("AOS_ENV=production\nSECRET_KEY=abc\n")
    done = _run([str(BIN / "flask"), "--app", "webapp", "registrations", "list"], tmp_path)
    assert done.returncode == 2
    assert "refusing to start (AOS_ENV=production): DATABASE_URL is SQLite" in done.stderr


def test_worker_reads_env_and_the_environment_wins(tmp_path: Path) -> None:
    # An invalid LOG_FORMAT is refused before anything connects: proof the file was read.
    (tmp_path / ".env").write_text("AOS_ENV=development\nLOG_FORMAT=loud\n")
    worker = [sys.executable, str(REPO / "worker.py")]
    done = _run(worker, tmp_path)
    assert done.returncode == 2 and "LOG_FORMAT must be json or text" in done.stderr
    done = _run(worker, tmp_path, AOS_ENV="production")
    assert done.returncode == 2 and "(AOS_ENV=production): SECRET_KEY must be set" in done.stderr


def _copy_of_the_checkout(target: Path) -> Path:
    skip = shutil.ignore_patterns(
        ".git", ".venv", "var", "test-artifacts", ".env", "__pycache__", ".*_cache"
    )
    shutil.copytree(REPO, target, ignore=skip)
    return target


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _stat(pid: int) -> list[str]:
    """State, ppid, pgid... of /proc/<pid>/stat (the fields after the command name)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _in_groups(pgids: set[int]) -> list[int]:
    """Live processes (not zombies) whose process group is one of ``pgids``."""
    found = []
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else []
        if len(fields) > 2 and int(fields[2]) in pgids and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_line(proc: subprocess.Popen, log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"make run never said {text!r}:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def test_readme_commands_beside_make_run(tmp_path: Path) -> None:
    repo = _copy_of_the_checkout(tmp_path / "checkout")
    ports = {
        "PORT": free_port(),
        "MAIL_PORT": free_port(),
        "AOS_DEV_TEMPORAL_PORT": free_port(),
        "AOS_DEV_TEMPORAL_UI_PORT": free_port(),
        "AOS_DEV_VIES_PORT": free_port(),
        "AOS_DEV_MNB_PORT": free_port(),
    }
    env = {**CLEAN, "HOME": str(tmp_path), "WORKER_METRICS_ADDRESS": ""}
    env.update({name: str(port) for name, port in ports.items()})
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "devtools.run"],
            cwd=repo,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started: set[int] = set()
    try:
        _wait_for_line(run, log, "AOS Portal is running", timeout=180)
        started = _descendants(run.pid)
        commands = " | ".join(_cmdline(pid) for pid in started)
        for process in (
            "temporal server start-dev",
            "vies.standin",
            "invoicing.mnb_standin",
            "devtools.mailcatcher",
        ):
            assert process in commands
        assert "worker.py" in commands and "flask --app webapp run" in commands
        # honcho starts each Procfile process in its own process group.
        groups = {int(_stat(pid)[2]) for pid in started} - {run.pid}
        assert len(groups) >= 5
        dotenv = (repo / ".env").read_text()
        assert dotenv.startswith(dotenv_file.HEADER)
        assert f"TEMPORAL_ADDRESS='127.0.0.1:{ports['AOS_DEV_TEMPORAL_PORT']}'" in dotenv

        flask = [str(BIN / "flask"), "--app", "webapp"]
        listed = _run([*flask, "registrations", "list"], repo)
        assert listed.returncode == 0, listed.stderr
        # The administrator make run created: the second terminal sees the same database.
        admin = _run(
            [*flask, "create-admin", "admin@aos.local", "--password-stdin"],
            repo,
            stdin="a long second-terminal password\n",
        )
        assert admin.returncode == 0, admin.stderr
        assert "Updated administrator admin@aos.local" in admin.stdout
        added = _run(
            [*flask, "create-admin", "ops@aos.local", "--password-stdin"],
            repo,
            stdin="another long password here\n",
        )
        assert "Created administrator ops@aos.local" in added.stdout, added.stderr
    finally:
        run.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=10)
    assert run.returncode == 0, log.read_text(errors="replace")
    assert [pid for pid in started if _alive(pid)] == []
    assert _in_groups(groups) == []  # nor anything they started
