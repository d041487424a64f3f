"""The `.env` that `make run` writes, so commands in a second terminal get its settings.

Flask's CLI reads `.env` by itself (python-dotenv); `python worker.py` does the same through
Flask's own loader. Variables already set in the environment win over the file. `.env` is
also what docker-compose reads in production (`.env.example`), so a `.env` that `make run`
did not write (no HEADER on its first line) is never touched.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

HEADER = "# Written by `make run` (devtools/run.py); rewritten at every start."
# What the app and the worker read (README "Configuration"), in the order written.
SETTINGS = (
    "AOS_ENV",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_TASK_QUEUE",
    "TEMPORAL_UI_URL",
    "PUBLIC_BASE_URL",
    "VIES_URL",
    "VIES_REQUESTER_VAT",
    "VIES_RETRY_HORIZON",
    "STRIPE_API_BASE",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "MNB_RATES_URL",
    "NAV_API_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAILBOX_DIR",
    "CONFIRMATION_WINDOW",
    "REVIEW_SLA",
    "CHANGES_WINDOW",
    "PERSONAL_DATA_RETENTION",
    "ADMIN_NOTIFY_EMAILS",
    "CONTACT_EMAIL",
    "SUPPORT_EMAIL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "AOS_ALLOW_LOCAL_VIES",
    "METRICS_TOKEN",
)


def written_by_make_run(path: Path) -> bool:
    """Whether `path` is absent or is a file this module wrote."""
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().rstrip("\n") == HEADER
    except FileNotFoundError:
        return True


def _quote(value: str) -> str:
    # python-dotenv's single quotes: literal text, only \\ and \' are escapes.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render(env: Mapping[str, str], *, secret_given: bool) -> str:
    lines = [
        HEADER,
        "# The development settings of the running `make run`, read by `flask --app webapp ...`",
        "# and `python worker.py` in any terminal. Not for docker-compose (see .env.example).",
    ]
    if secret_given:
        lines.append("# SECRET_KEY came from make run's environment: set it in yours too.")
    lines += [f"{name}={_quote(env[name])}" for name in SETTINGS if env.get(name)]
    return "\n".join(lines) + "\n"


def write(path: Path, env: Mapping[str, str], *, secret_given: bool) -> bool:
    """Write the settings to `path` (mode 0600: it may hold mail credentials). False, and
    nothing written, when `path` is someone else's `.env`."""
    if not written_by_make_run(path):
        return False
    text = render(env, secret_given=secret_given)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
    return True
