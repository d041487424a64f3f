"""Logs: one JSON object a line (LOG_FORMAT=json, the production default) or plain text.

A record carries `registration_id` when the call passes it
(``log.info("…", extra={"registration_id": reg.id})``) or when it comes from a Temporal
activity or workflow of a registration: temporalio's loggers put the activity's or the
workflow's details on the record (`temporal_activity`, `temporal_workflow`), and the
registration id is read from the workflow id (``registration-<id>``).

No record leaves with a live secret link (issue 24, finding 1a): the paths of the signed
links (`/confirm/…`, `/status/…`, `/restart/…`, `/changes/…`, `/password/reset/…`) carry a
token that opens the page, so `RedactSecretLinks` on the handler replaces the token with
"…" in every message and in gunicorn's access atoms (the request line, the path, the
Referer)."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.config import ConfigError, log_format

WORKFLOW_PREFIX = "registration-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_TEMPORAL = ("temporal_activity", "temporal_workflow")
# gunicorn passes its access-log atoms as the record's args.
_ACCESS_ATOMS = (
    ("remote", "h"),
    ("method", "m"),
    ("path", "U"),
    ("status", "s"),
    ("bytes", "B"),
    ("duration_ms", "M"),
    ("user_agent", "a"),
)


# A signed link's path: the token is the segment after the prefix (quoted or not).
_SECRET_LINK = re.compile(r"(/(?:confirm|status|restart|changes|password/reset)/)[^/?#\s\"'<>]+")


def redact(text: str) -> str:
    """`text` with the token of every secret link replaced by "…"."""
    return _SECRET_LINK.sub(r"\1…", text)


class RedactSecretLinks(logging.Filter):
    """Replace secret links' tokens in a record before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):  # gunicorn's access atoms
            record.args = {
                key: redact(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _registration_from(temporal: Mapping[str, Any]) -> str | None:
    workflow_id = str(temporal.get("workflow_id") or "")
    if workflow_id.startswith(WORKFLOW_PREFIX):
        return workflow_id.removeprefix(WORKFLOW_PREFIX)
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, process, and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        for key in _TEMPORAL:
            details = data.get(key)
            if isinstance(details, Mapping) and "registration_id" not in data:
                registration_id = _registration_from(details)
                if registration_id:
                    data["registration_id"] = registration_id
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            data["http"] = {name: record.args.get(atom) for name, atom in _ACCESS_ATOMS}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def logging_dict(fmt: str, level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for the root logger (and gunicorn's, which do not propagate) on stderr."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "aos",
        "stream": "ext://sys.stderr",
        "filters": ["secret_links"],
    }
    gunicorn = {"level": level, "handlers": ["console"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"aos": formatter},
        "filters": {"secret_links": {"()": f"{__name__}.RedactSecretLinks"}},
        "handlers": {"console": handler},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {"gunicorn.error": gunicorn, "gunicorn.access": dict(gunicorn)},
    }


def env_log_format(env: Mapping[str, str] | None = None) -> str:
    """LOG_FORMAT from the environment, before the settings are loaded (gunicorn.conf.py)."""
    env = os.environ if env is None else env
    environment = env.get("AOS_ENV", "production").strip().lower()
    try:
        return log_format(env, environment)
    except ConfigError:
        return "json"  # the settings will say what is wrong


def configure_logging(fmt: str, level: str | None = None) -> None:
    """Set up the process's logging; in JSON the Temporal details go in fields, not text."""
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    logging.config.dictConfig(logging_dict(fmt, level))
    if fmt == "json":
        from temporalio import activity, workflow

        activity.logger.activity_info_on_message = False
        workflow.logger.workflow_info_on_message = False
