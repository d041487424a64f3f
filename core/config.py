"""Configuration from the environment: the stable interface of ARCHITECTURE.md.

Both the web app and the worker read their settings here, so a variable means the same
thing in every process.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{REPO_ROOT / 'var' / 'aos.db'}"
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# AOS_BEHIND_PROXY=1 without TRUSTED_PROXIES: a proxy on this machine (or in this container).
LOCAL_PROXIES = ("127.0.0.1/32", "::1/128")


class ConfigError(RuntimeError):
    """The environment does not describe a process that may start."""


def parse_duration(text: str) -> int:
    """'90s', '15m', '48h', '2d' → seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"Not a duration: {text!r} (use e.g. 90s, 15m, 48h, 2d)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: Mapping[str, str], environment: str) -> str:
    key = env.get("SECRET_KEY", "")
    if key:
        return key
    key_file = env.get("SECRET_KEY_FILE", "")
    if key_file:  # the key kept in a file (make run's .env, or a container secret)
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            reason = err.strerror or err
            raise ConfigError(f"SECRET_KEY_FILE {key_file} cannot be read: {reason}.") from None
        if not key:
            raise ConfigError(f"SECRET_KEY_FILE {key_file} is empty.")
        return key
    if environment not in {"development", "testing"}:
        raise ConfigError(
            "SECRET_KEY must be set outside development (AOS_ENV=development), "
            "or SECRET_KEY_FILE naming a file that holds it."
        )
    # Development: one generated key kept under var/, shared by web and worker so the
    # links in emails keep working across restarts. Never a key written in the code.
    path = REPO_ROOT / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    environment: str
    # Secrets stay out of repr() and so out of logs and tracebacks (ASVS V13).
    secret_key: str = field(repr=False)
    database_url: str = field(repr=False)  # may carry the database password
    temporal_address: str
    temporal_namespace: str
    temporal_task_queue: str
    temporal_ui_url: str
    public_base_url: str
    vies_url: str
    vies_requester_vat: str | None
    vies_retry_horizon: int
    confirmation_window: int
    review_sla: int
    contact_email: str
    support_email: str
    admin_notify_emails: tuple[str, ...]
    mailbox_dir: str
    mail: dict[str, object] = field(default_factory=dict, repr=False)  # MAIL_PASSWORD
    # Production topology (README "Deploy").
    behind_proxy: bool = False  # AOS_BEHIND_PROXY or TRUSTED_PROXIES: a proxy is in front
    # TRUSTED_PROXIES: the addresses (or networks) whose X-Forwarded-* headers are believed;
    # from anyone else they are dropped (webapp/proxies.py).
    trusted_proxies: tuple[str, ...] = ()
    log_format: str = "text"  # LOG_FORMAT: "json" (one object a line) or "text"
    allow_local_vies: bool = False  # AOS_ALLOW_LOCAL_VIES: the VIES stand-in outside dev
    metrics_token: str | None = field(default=None, repr=False)  # METRICS_TOKEN: for /metrics
    # Security (issue 14): session limits in seconds, and METRICS_ENABLED=0 to drop /metrics.
    console_session_idle: int = 30 * 60  # CONSOLE_SESSION_IDLE
    console_session_max: int = 12 * 3600  # CONSOLE_SESSION_MAX
    portal_session_idle: int = 2 * 3600  # PORTAL_SESSION_IDLE
    portal_session_max: int = 14 * 86400  # PORTAL_SESSION_MAX
    link_lifetime_after_end: int = 30 * 86400  # STATUS_LINK_LIFETIME: after the registration ended
    metrics_enabled: bool = True  # METRICS_ENABLED
    # PERSONAL_DATA_RETENTION: how long personal data of an ended registration or a closed
    # account is kept before the daily retention schedule erases it.
    personal_data_retention: int = 90 * 86400
    # CHANGES_WINDOW: how long an applicant has to send the changes an administrator asked for.
    changes_window: int = 7 * 86400

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    environment = env.get("AOS_ENV", "production").strip().lower()
    mail_port = env.get("MAIL_PORT", "25")
    return Settings(
        environment=environment,
        secret_key=_secret_key(env, environment),
        database_url=env.get("DATABASE_URL", DEFAULT_SQLITE),
        temporal_address=env.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        temporal_namespace=env.get("TEMPORAL_NAMESPACE", "default"),
        temporal_task_queue=env.get("TEMPORAL_TASK_QUEUE", "aos-registrations"),
        temporal_ui_url=env.get("TEMPORAL_UI_URL", "http://127.0.0.1:8233").rstrip("/"),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        vies_url=env.get("VIES_URL", "https://ec.europa.eu/taxation_customs/vies/rest-api"),
        vies_requester_vat=env.get("VIES_REQUESTER_VAT") or None,
        vies_retry_horizon=parse_duration(env.get("VIES_RETRY_HORIZON", "24h")),
        confirmation_window=parse_duration(env.get("CONFIRMATION_WINDOW", "48h")),
        review_sla=parse_duration(env.get("REVIEW_SLA", "2d")),
        contact_email=env.get("CONTACT_EMAIL", "4thlevel@bmw.hu"),
        support_email=env.get("SUPPORT_EMAIL", "4thlevel@bmw.hu"),
        admin_notify_emails=tuple(
            a.strip() for a in env.get("ADMIN_NOTIFY_EMAILS", "").split(",") if a.strip()
        ),
        mailbox_dir=env.get("MAILBOX_DIR", str(REPO_ROOT / "var" / "mail")),
        mail={
            "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
            "MAIL_PORT": int(mail_port),
            "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
            "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
            "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "AOS Portal <noreply@aos.local>"),
        },
        behind_proxy=bool(trusted_proxies(env)),
        trusted_proxies=trusted_proxies(env),
        log_format=log_format(env, environment),
        allow_local_vies=_bool(env.get("AOS_ALLOW_LOCAL_VIES")),
        metrics_token=env.get("METRICS_TOKEN") or None,
        **security_settings(env),
        personal_data_retention=parse_duration(env.get("PERSONAL_DATA_RETENTION", "90d")),
        changes_window=parse_duration(env.get("CHANGES_WINDOW", "7d")),
    )


def security_settings(env: Mapping[str, str]) -> dict[str, object]:
    """Session limits and the /metrics switch (the security settings, kept together)."""
    return {
        "console_session_idle": parse_duration(env.get("CONSOLE_SESSION_IDLE", "30m")),
        "console_session_max": parse_duration(env.get("CONSOLE_SESSION_MAX", "12h")),
        "portal_session_idle": parse_duration(env.get("PORTAL_SESSION_IDLE", "2h")),
        "portal_session_max": parse_duration(env.get("PORTAL_SESSION_MAX", "14d")),
        "link_lifetime_after_end": parse_duration(env.get("STATUS_LINK_LIFETIME", "30d")),
        "metrics_enabled": env.get("METRICS_ENABLED", "1").strip().lower()
        not in {"0", "false", "no", "off"},
    }


def trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """TRUSTED_PROXIES (addresses or networks, comma or space separated) as networks; with
    AOS_BEHIND_PROXY=1 alone, LOCAL_PROXIES; else none (forwarded headers never believed)."""
    items = [item for item in re.split(r"[,\s]+", env.get("TRUSTED_PROXIES", "")) if item]
    networks = []
    for item in items:
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"TRUSTED_PROXIES: {item!r} is not an IP address or network "
                "(use e.g. 172.30.57.1, 10.0.0.0/8, ::1)."
            ) from None
    if not networks and _bool(env.get("AOS_BEHIND_PROXY")):
        return LOCAL_PROXIES
    return tuple(networks)


def log_format(env: Mapping[str, str], environment: str) -> str:
    """LOG_FORMAT, else json in production and plain text in development and tests."""
    chosen = env.get("LOG_FORMAT", "").strip().lower()
    if chosen in {"json", "text"}:
        return chosen
    if chosen:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {chosen!r}.")
    return "text" if environment in {"development", "testing"} else "json"
