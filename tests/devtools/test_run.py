"""``make run``'s plan: the environment and the processes, without starting anything."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from devtools.run import (
    ADMIN_EMAIL,
    PROCFILE,
    banner,
    build_environment,
    ensure_secret_key,
    procfile_processes,
    readiness,
    setup_steps,
)

ALL = ["temporal", "vies", "stripe", "mnb", "nav", "mail", "worker", "web"]


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A fake virtualenv whose bin/ holds python and the temporal CLI."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "temporal"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    return path


def plan(base: dict[str, str], repo: Path, venv: Path) -> tuple[dict[str, str], dict[str, str]]:
    return build_environment(base, repo, python=str(venv / "python"))


def expand(command: str, env: dict[str, str]) -> list[str]:
    """The argv the shell that honcho starts makes of a Procfile line."""
    done = subprocess.run(
        ["/bin/sh", "-c", f'for a in {command}; do printf "%s\\n" "$a"; done'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_development_defaults(repo: Path, venv: Path) -> None:
    env, processes = plan({"PATH": "/usr/bin"}, repo, venv)

    assert list(processes) == ALL
    assert env["PATH"] == "/usr/bin"
    expected = {
        "AOS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{repo / 'var' / 'aos.db'}",
        "TEMPORAL_ADDRESS": "127.0.0.1:7233",
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": "aos-registrations",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "VIES_URL": "http://127.0.0.1:8089",
        "STRIPE_API_BASE": "http://127.0.0.1:8090",
        "STRIPE_SECRET_KEY": "sk_test_aos_development",
        "STRIPE_WEBHOOK_SECRET": "whsec_aos_development",
        "MNB_RATES_URL": "http://127.0.0.1:8092/arfolyamok.asmx",
        "NAV_API_URL": "http://127.0.0.1:8091/invoiceService/v3",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "1025",
        "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.local>",
        "MAILBOX_DIR": str(repo / "var" / "mail"),
        "CONFIRMATION_WINDOW": "48h",
        "REVIEW_SLA": "2d",
        "ADMIN_NOTIFY_EMAILS": "admin@aos.local",
    }
    assert {k: env[k] for k in expected} == expected
    assert env["DATABASE_URL"].startswith("sqlite:////")  # absolute path
    assert env["SECRET_KEY"] == (repo / "var" / "secret_key").read_text().strip()
    assert len(env["SECRET_KEY"]) >= 64


def test_the_procfile_is_the_list(repo: Path, venv: Path) -> None:
    _, processes = plan({}, repo, venv)
    assert processes == procfile_processes(PROCFILE)
    assert list(processes) == ALL


def test_process_commands(repo: Path, venv: Path) -> None:
    env, processes = plan({}, repo, venv)
    python, temporal = str(venv / "python"), str(venv / "temporal")

    argv = expand(processes["temporal"], env)
    assert argv[:3] == [temporal, "server", "start-dev"]
    flags = " ".join(argv[3:])
    for expected in (
        "--ip 127.0.0.1",
        "--port 7233",
        "--ui-port 8233",
        "--db-filename var/temporal.db",
        "--namespace default",
        "--log-level warn",
        "--search-attribute RegistrationStatus=Keyword",
        "--search-attribute CountryCode=Keyword",
        "--search-attribute UserType=Keyword",
        "--search-attribute VatNumber=Keyword",
        "--search-attribute ReviewOverdue=Bool",
    ):
        assert expected in flags
    ready = readiness(env, processes)["temporal"]
    assert ready.tcp == ("127.0.0.1", 7233)
    assert ready.command == (
        temporal, "operator", "namespace", "describe",
        "--namespace", "default", "--address", "127.0.0.1:7233",
    )  # fmt: skip

    assert expand(processes["vies"], env) == [
        python, "-m", "vies.standin", "--host", "127.0.0.1", "--port", "8089"
    ]  # fmt: skip
    assert expand(processes["stripe"], env) == [
        python, "-m", "payments.standin", "--host", "127.0.0.1", "--port", "8090",
        "--webhook-url", "http://127.0.0.1:5000/payments/stripe/webhook",
    ]  # fmt: skip
    assert readiness(env, processes)["stripe"].http == "http://127.0.0.1:8090/_standin/health"
    assert expand(processes["mnb"], env) == [
        python, "-m", "invoicing.mnb_standin", "--host", "127.0.0.1", "--port", "8092"
    ]  # fmt: skip
    assert expand(processes["nav"], env) == [
        python, "-m", "nav.standin", "--host", "127.0.0.1", "--port", "8091"
    ]  # fmt: skip
    assert expand(processes["mail"], env) == [
        python, "-m", "devtools.mailcatcher", "--host", "127.0.0.1", "--port", "1025",
        "--dir", str(repo / "var" / "mail"),
    ]  # fmt: skip
    assert expand(processes["worker"], env) == [python, "worker.py"]
    assert expand(processes["web"], env) == [
        python, "-m", "flask", "--app", "webapp", "run", "--host", "127.0.0.1", "--port", "5000"
    ]  # fmt: skip
    assert readiness(env, processes)["web"].http == "http://127.0.0.1:5000/healthz"

    steps = {name: (argv, stdin) for name, argv, stdin in setup_steps(python, "generated-pw-1")}
    assert steps["init-db"] == ([python, "-m", "flask", "--app", "webapp", "init-db"], None)
    assert steps["admin"] == (
        [python, "-m", "flask", "--app", "webapp", "create-admin", ADMIN_EMAIL, "--password-stdin"],
        "generated-pw-1\n",
    )


def test_bare_honcho_start_gets_the_defaults(tmp_path: Path) -> None:
    processes = procfile_processes(PROCFILE)
    env = {"PATH": "/usr/bin:/bin"}
    assert expand(processes["web"], env)[0] == ".venv/bin/python"
    assert expand(processes["web"], env)[-2:] == ["--port", "5000"]
    assert expand(processes["temporal"], env)[-2:] == ["--log-level", "warn"]


@pytest.mark.parametrize(
    ("given", "absent"),
    [
        ({"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": "2525"}, {"mail"}),
        ({"MAIL_SERVER": "smtp.example.com"}, {"mail"}),
        ({"VIES_URL": "https://ec.europa.eu/taxation_customs/vies/rest-api"}, {"vies"}),
        ({"MNB_RATES_URL": "http://www.mnb.hu/arfolyamok.asmx"}, {"mnb"}),
        ({"NAV_API_URL": "https://api.onlineszamla.nav.gov.hu/invoiceService/v3"}, {"nav"}),
        ({"TEMPORAL_ADDRESS": "temporal.internal:7233"}, {"temporal"}),
        ({"STRIPE_API_BASE": "https://api.stripe.com"}, {"stripe"}),
        ({"CONFIRMATION_WINDOW": "2m", "REVIEW_SLA": "15m"}, set()),
        ({"DATABASE_URL": "postgresql+psycopg://aos@db/aos", "SECRET_KEY": "s3cret"}, set()),
    ],
)
def test_user_settings_win(repo: Path, venv: Path, given: dict[str, str], absent: set[str]) -> None:
    env, processes = plan(given, repo, venv)
    assert {k: env[k] for k in given} == given
    assert list(processes) == [name for name in ALL if name not in absent]


def test_mail_port_alone_moves_the_catcher(repo: Path, venv: Path) -> None:
    env, processes = plan({"MAIL_PORT": "2525"}, repo, venv)
    assert env["MAIL_SERVER"] == "127.0.0.1"
    assert expand(processes["mail"], env)[5:7] == ["--port", "2525"]


def test_port_moves_the_web_app(repo: Path, venv: Path) -> None:
    env, processes = plan({"PORT": "5050"}, repo, venv)
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:5050"
    assert expand(processes["web"], env)[-2:] == ["--port", "5050"]
    assert readiness(env, processes)["web"].http == "http://127.0.0.1:5050/healthz"


def test_dev_ports_move_the_services(repo: Path, venv: Path) -> None:
    given = {"AOS_DEV_TEMPORAL_PORT": "17233", "AOS_DEV_TEMPORAL_UI_PORT": "18233"}
    env, processes = plan({**given, "AOS_DEV_VIES_PORT": "18089"}, repo, venv)
    assert "--port 17233 --ui-port 18233" in " ".join(expand(processes["temporal"], env))
    assert expand(processes["vies"], env)[-2:] == ["--port", "18089"]
    assert env["TEMPORAL_ADDRESS"] == "127.0.0.1:17233"
    assert env["VIES_URL"] == "http://127.0.0.1:18089"


def test_empty_variables_count_as_unset(repo: Path, venv: Path) -> None:
    env, processes = plan({"MAIL_SERVER": "", "CONFIRMATION_WINDOW": ""}, repo, venv)
    assert env["MAIL_SERVER"] == "127.0.0.1" and env["CONFIRMATION_WINDOW"] == "48h"
    assert "mail" in processes


@pytest.mark.parametrize("bad", [{"PORT": "web"}, {"MAIL_PORT": "99999"}])
def test_bad_port_numbers_are_refused(repo: Path, venv: Path, bad: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="is not a TCP port number"):
        plan(bad, repo, venv)


def test_secret_key_created_once_and_reused(repo: Path, venv: Path) -> None:
    first, _ = plan({}, repo, venv)
    key_file = repo / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second, _ = plan({}, repo, venv)
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert ensure_secret_key(key_file) == first["SECRET_KEY"]


def test_given_secret_key_leaves_no_file(repo: Path, venv: Path) -> None:
    env, _ = plan({"SECRET_KEY": "from-the-operator"}, repo, venv)
    assert env["SECRET_KEY"] == "from-the-operator"
    assert not (repo / "var" / "secret_key").exists()


def test_banner(repo: Path, venv: Path) -> None:
    env, processes = plan({}, repo, venv)
    text = banner(env, processes, "generated-pw-1")
    for expected in (
        "http://127.0.0.1:5000 ",
        "http://127.0.0.1:5000/dev/mailbox",
        "http://127.0.0.1:8233",
        "http://127.0.0.1:8089",
        "Stripe stand-in",
        "http://127.0.0.1:8090",
        "http://127.0.0.1:8092/arfolyamok.asmx",
        "http://127.0.0.1:8091/invoiceService/v3",
        "http://127.0.0.1:5000/admin/login",
        "admin@aos.local",
        "generated-pw-1",
        "Ctrl-C stops everything",
    ):
        assert expected in text
    assert len({len(line) for line in text.splitlines()}) == 1  # a closed box

    env, processes = plan(
        {"MAIL_SERVER": "smtp.example.com", "TEMPORAL_ADDRESS": "t:7233"}, repo, venv
    )
    text = banner(env, processes, "pw")
    assert "/dev/mailbox" not in text and "smtp.example.com:1025" in text
    assert "8233" not in text and "t:7233" in text


def test_a_given_stripe_account_brings_its_own_keys(repo: Path, venv: Path) -> None:
    env, processes = plan({"STRIPE_API_BASE": "https://api.stripe.com"}, repo, venv)
    assert "stripe" not in processes
    assert "STRIPE_SECRET_KEY" not in env and "STRIPE_WEBHOOK_SECRET" not in env
    assert "Stripe API" in banner(env, processes, "pw")


def test_ports_move_the_stripe_stand_in_and_its_webhooks(repo: Path, venv: Path) -> None:
    env, processes = plan({"AOS_DEV_STRIPE_PORT": "18090", "PORT": "5050"}, repo, venv)
    assert env["STRIPE_API_BASE"] == "http://127.0.0.1:18090"
    assert expand(processes["stripe"], env)[-4:] == [
        "--port", "18090", "--webhook-url", "http://127.0.0.1:5050/payments/stripe/webhook"
    ]  # fmt: skip
