"""Configuration from the environment: the stable interface of ARCHITECTURE.md.

Both the web app and the worker read their settings here, so a variable means the same
thing in every process.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nav.client import NavConfig, Software, TechnicalUser
from nav.dev import DEV_SOFTWARE, DEV_USER, STANDIN_URL

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{REPO_ROOT / 'var' / 'aos.db'}"
STRIPE_API = "https://api.stripe.com"
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
class InvoiceSettings:
    """INVOICE_SERIES, the SELLER_* data and MNB_RATES_URL (ARCHITECTURE.md: invoices)."""

    series: str = ""  # INVOICE_SERIES: numbers read SERIES-YEAR-000001
    seller_name: str = ""  # SELLER_NAME
    seller_address: str = ""  # SELLER_ADDRESS
    seller_vat_number: str = ""  # SELLER_VAT_NUMBER: the Hungarian adószám, 12345678-2-42
    seller_bank_account: str = ""  # SELLER_BANK_ACCOUNT
    seller_registration_number: str = ""  # SELLER_REGISTRATION_NUMBER: cégjegyzékszám
    mnb_rates_url: str = "http://www.mnb.hu/arfolyamok.asmx"  # MNB_RATES_URL


# Development and the tests invoice as a sample seller; production has no defaults.
_SAMPLE_SELLER = {
    "INVOICE_SERIES": "AOS",
    "SELLER_NAME": "AOS Portál Minta Kft.",
    "SELLER_ADDRESS": "1117 Budapest, Minta utca 1.",
    "SELLER_VAT_NUMBER": "10537914-2-44",
    "SELLER_BANK_ACCOUNT": "11700000-00000000-00000000",
    "SELLER_REGISTRATION_NUMBER": "01-09-000000",
}


def invoice_settings(env: Mapping[str, str], environment: str) -> InvoiceSettings:
    defaults = _SAMPLE_SELLER if environment in {"development", "testing"} else {}

    def value(name: str) -> str:
        return (env.get(name) or defaults.get(name, "")).strip()

    return InvoiceSettings(
        series=value("INVOICE_SERIES"),
        seller_name=value("SELLER_NAME"),
        seller_address=value("SELLER_ADDRESS"),
        seller_vat_number=value("SELLER_VAT_NUMBER"),
        seller_bank_account=value("SELLER_BANK_ACCOUNT"),
        seller_registration_number=value("SELLER_REGISTRATION_NUMBER"),
        mnb_rates_url=env.get("MNB_RATES_URL", "http://www.mnb.hu/arfolyamok.asmx").strip(),
    )


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
    behind_proxy: bool = False  # AOS_BEHIND_PROXY: trust one proxy's X-Forwarded-* headers
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
    # MAIL_REPLY_TO: where a reply to any email goes (the emails invite one); default the
    # support address, since noreply@ in MAIL_DEFAULT_SENDER reads no mail.
    mail_reply_to: str = ""
    # PERSONAL_DATA_RETENTION: how long personal data of an ended registration or a closed
    # account is kept before the daily retention schedule erases it.
    personal_data_retention: int = 90 * 86400
    # CHANGES_WINDOW: how long an applicant has to send the changes an administrator asked for.
    changes_window: int = 7 * 86400
    # The worker (workerapp/): WORKER_WORKFLOW_CACHE workflows kept in memory between tasks,
    # the sweep every RESUME_SWEEP_INTERVAL, the SDK's metrics on WORKER_METRICS_ADDRESS
    # (empty: off).
    worker_workflow_cache: int = 200
    resume_sweep_interval: int = 20
    worker_metrics_address: str = "127.0.0.1:9464"
    # NAV Online Számla (issue 27): NAV_API_URL and the technical user; None when they are
    # not set outside development (the reports then wait, retried, until they are).
    nav: NavConfig | None = field(default=None, repr=False)

    # The payment provider (payments/provider.py): Stripe's API, or the local stand-in.
    stripe_api_base: str = STRIPE_API
    stripe_secret_key: str = field(default="", repr=False)  # STRIPE_SECRET_KEY
    stripe_webhook_secret: str = field(default="", repr=False)  # STRIPE_WEBHOOK_SECRET
    # Invoices (issue 27): the series and the seller printed on every invoice, and MNB's
    # exchange-rate service. Empty in production unless set (core/production.py refuses).
    invoicing: InvoiceSettings = field(default_factory=InvoiceSettings)

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


# The brand in the From and Reply-To names (docs/hu-style.md: AOS-portál).
BRAND_NAME = "BMW AOS-portál"
DEFAULT_SENDER = f"{BRAND_NAME} <noreply@aos.local>"


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
            "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", DEFAULT_SENDER),
        },
        mail_reply_to=env.get("MAIL_REPLY_TO")
        or f"{BRAND_NAME} <{env.get('SUPPORT_EMAIL', '4thlevel@bmw.hu')}>",
        behind_proxy=_bool(env.get("AOS_BEHIND_PROXY")),
        log_format=log_format(env, environment),
        allow_local_vies=_bool(env.get("AOS_ALLOW_LOCAL_VIES")),
        metrics_token=env.get("METRICS_TOKEN") or None,
        **security_settings(env),
        personal_data_retention=parse_duration(env.get("PERSONAL_DATA_RETENTION", "90d")),
        changes_window=parse_duration(env.get("CHANGES_WINDOW", "7d")),
        worker_workflow_cache=int(
            env.get("WORKER_WORKFLOW_CACHE") or Settings.worker_workflow_cache
        ),
        resume_sweep_interval=parse_duration(env.get("RESUME_SWEEP_INTERVAL") or "20s") or 20,
        worker_metrics_address=env.get("WORKER_METRICS_ADDRESS", "127.0.0.1:9464"),
        nav=nav_settings(env, environment),
        stripe_api_base=(env.get("STRIPE_API_BASE") or STRIPE_API).rstrip("/"),
        stripe_secret_key=env.get("STRIPE_SECRET_KEY", "").strip(),
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        invoicing=invoice_settings(env, environment),
    )


NAV_API_URLS = {
    "production": "https://api.onlineszamla.nav.gov.hu/invoiceService/v3",
    "test": "https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3",
}
_NAV_USER = ("NAV_LOGIN", "NAV_PASSWORD", "NAV_SIGNATURE_KEY", "NAV_EXCHANGE_KEY", "NAV_TAX_NUMBER")


def nav_settings(env: Mapping[str, str], environment: str) -> NavConfig | None:
    """NAV_API_URL, the technical user (NAV_LOGIN, NAV_PASSWORD, NAV_SIGNATURE_KEY,
    NAV_EXCHANGE_KEY, NAV_TAX_NUMBER) and the software (NAV_SOFTWARE_ID, ...). Development
    without them talks to the local stand-in (`python -m nav.standin`) as its dev user."""
    local = environment in {"development", "testing"}
    given = [name for name in _NAV_USER if env.get(name)]
    if not given:
        if not local:
            return None
        user, software = DEV_USER, DEV_SOFTWARE
        url = env.get("NAV_API_URL", STANDIN_URL)
    else:
        missing = [name for name in _NAV_USER if not env.get(name)]
        if missing:
            raise ConfigError(f"NAV technical user incomplete: set {', '.join(missing)}.")
        if len(env["NAV_EXCHANGE_KEY"]) != 16:
            raise ConfigError("NAV_EXCHANGE_KEY is the 16-character exchange key NAV issued.")
        tax_number = env["NAV_TAX_NUMBER"].strip()[:8]
        user = TechnicalUser(
            login=env["NAV_LOGIN"],
            password=env["NAV_PASSWORD"],
            signature_key=env["NAV_SIGNATURE_KEY"],
            exchange_key=env["NAV_EXCHANGE_KEY"],
            tax_number=tax_number,
        )
        software = Software(
            software_id=env.get("NAV_SOFTWARE_ID") or f"HU{tax_number}-AOS-001",
            name=env.get("NAV_SOFTWARE_NAME", DEV_SOFTWARE.name),
            main_version=env.get("NAV_SOFTWARE_VERSION", DEV_SOFTWARE.main_version),
            dev_name=env.get("NAV_SOFTWARE_DEV_NAME", DEV_SOFTWARE.dev_name),
            dev_contact=env.get("NAV_SOFTWARE_DEV_CONTACT", DEV_SOFTWARE.dev_contact),
            dev_tax_number=env.get("NAV_SOFTWARE_DEV_TAX_NUMBER") or None,
        )
        # NAV's test and production systems have their own technical users: which one is
        # meant is said, never guessed.
        url = env.get("NAV_API_URL", "" if not local else NAV_API_URLS["test"])
        if not url:
            raise ConfigError(
                f"NAV_API_URL must be set: {NAV_API_URLS['production']} (production) "
                f"or {NAV_API_URLS['test']} (NAV's test system)."
            )
    if not local and not url.startswith("https://") and not _bool(env.get("AOS_ALLOW_LOCAL_NAV")):
        # The password hash and signatures would cross the network in the clear.
        raise ConfigError(
            "NAV_API_URL must be https:// outside development "
            "(AOS_ALLOW_LOCAL_NAV=1 for the local stand-in)."
        )
    if not re.fullmatch(r"[0-9A-Z\-]{18}", software.software_id):
        raise ConfigError("NAV_SOFTWARE_ID is 18 characters of 0-9, A-Z and '-'.")
    try:
        timeout = float(env.get("NAV_TIMEOUT", "30"))
    except ValueError:
        raise ConfigError("NAV_TIMEOUT is a number of seconds, e.g. 30.") from None
    return NavConfig(api_url=url.rstrip("/"), user=user, software=software, timeout=timeout)


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


def log_format(env: Mapping[str, str], environment: str) -> str:
    """LOG_FORMAT, else json in production and plain text in development and tests."""
    chosen = env.get("LOG_FORMAT", "").strip().lower()
    if chosen in {"json", "text"}:
        return chosen
    if chosen:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {chosen!r}.")
    return "text" if environment in {"development", "testing"} else "json"
