"""Development SMTP catcher: accepts every message and stores it as an ``.eml`` file.

Run it with ``python -m devtools.mailcatcher --host 127.0.0.1 --port 1025 --dir var/mail``.
The library part (:func:`list_messages`, :func:`load_message`) backs the web app's development
mailbox page; :func:`start_catcher` runs a catcher in-process for tests.

Each file holds the message bytes exactly as received, preceded by a few ``X-Catcher-*`` lines
(arrival time and SMTP envelope) so messages survive restarts without a sidecar database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HEADER_RECEIVED_AT = "X-Catcher-Received-At"
HEADER_ENVELOPE_FROM = "X-Catcher-Envelope-From"
HEADER_ENVELOPE_TO = "X-Catcher-Envelope-To"
_CATCHER_PREFIX = b"X-Catcher-"
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_SUFFIX = ".eml"


@dataclass
class StoredMessage:
    """One caught message. ``sender`` is the From header (the envelope sender if there is
    none); ``recipients`` are the envelope recipients (so Bcc shows up), or the To/Cc
    addresses for files that carry no envelope."""

    id: str
    received_at: datetime
    sender: str
    recipients: list[str]
    subject: str
    message_id: str
    text: str | None
    html: str | None
    raw: bytes


def store_message(
    directory: str | Path,
    raw: bytes,
    mail_from: str = "",
    rcpt_tos: Sequence[str] = (),
    received_at: datetime | None = None,
) -> str:
    """Write one message into ``directory`` atomically and return its id (the file stem)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    when = (received_at or datetime.now(UTC)).astimezone(UTC)
    file_id = f"{when:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"
    head = (
        f"{HEADER_RECEIVED_AT}: {when.isoformat()}\r\n"
        f"{HEADER_ENVELOPE_FROM}: {json.dumps(mail_from)}\r\n"
        f"{HEADER_ENVELOPE_TO}: {json.dumps(list(rcpt_tos))}\r\n"
    ).encode("ascii")
    tmp = folder / f".{file_id}.tmp"
    tmp.write_bytes(head + raw)
    os.replace(tmp, folder / f"{file_id}{_SUFFIX}")
    return file_id


def list_messages(directory: str | Path) -> list[StoredMessage]:
    """All stored messages, newest first. A missing directory is an empty mailbox."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    messages = []
    for path in folder.glob(f"*{_SUFFIX}"):
        if not _ID_RE.fullmatch(path.stem):
            continue
        try:
            messages.append(_read(path))
        except OSError:  # deleted while we were listing
            continue
    messages.sort(key=lambda m: (m.received_at, m.id), reverse=True)
    return messages


def load_message(directory: str | Path, id: str) -> StoredMessage | None:  # noqa: A002
    """The message whose file stem is ``id``, or None (also for anything that is not a plain
    file stem, such as ``../secret_key``: no path traversal)."""
    if not isinstance(id, str) or not _ID_RE.fullmatch(id):
        return None
    folder = Path(directory).resolve()
    path = (folder / f"{id}{_SUFFIX}").resolve()
    if path.parent != folder or not path.is_file():
        return None
    try:
        return _read(path)
    except OSError:
        return None


def _split_catcher_headers(data: bytes) -> tuple[dict[str, str], bytes]:
    meta: dict[str, str] = {}
    while data.startswith(_CATCHER_PREFIX):
        line, sep, rest = data.partition(b"\n")
        if not sep:
            break
        name, _, value = line.rstrip(b"\r").decode("utf-8", "replace").partition(":")
        meta[name.strip().lower()] = value.strip()
        data = rest
    return meta, data


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header must not break the mailbox page
        value = msg.get_all(name, failobj=[""])[0]
    return "" if value is None else str(value)


def _body(msg: EmailMessage, subtype: str) -> str | None:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return content.replace("\r\n", "\n") if isinstance(content, str) else None


def _json_value(meta: dict[str, str], name: str, default: Any) -> Any:
    try:
        return json.loads(meta[name.lower()])
    except (KeyError, ValueError):
        return default


def _read(path: Path) -> StoredMessage:
    meta, raw = _split_catcher_headers(path.read_bytes())
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    try:
        received_at = datetime.fromisoformat(meta[HEADER_RECEIVED_AT.lower()])
    except (KeyError, ValueError):
        received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    recipients = _json_value(meta, HEADER_ENVELOPE_TO, None)
    if not isinstance(recipients, list) or not recipients:
        fields = [_header(msg, name) for name in ("to", "cc", "bcc")]
        recipients = [addr for _, addr in getaddresses([f for f in fields if f]) if addr]
    sender = _header(msg, "from") or str(_json_value(meta, HEADER_ENVELOPE_FROM, ""))
    return StoredMessage(
        id=path.stem,
        received_at=received_at,
        sender=sender,
        recipients=[str(r) for r in recipients],
        subject=_header(msg, "subject"),
        message_id=_header(msg, "message-id"),
        text=_body(msg, "plain"),
        html=_body(msg, "html"),
        raw=raw,
    )


class CatcherHandler:
    """aiosmtpd handler: accept every recipient, store every message."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        store_message(self.directory, content, envelope.mail_from or "", envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _controller(directory: str | Path, host: str, port: int) -> Controller:
    # Controller only reports a failed bind after its ready timeout; fail fast instead.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    return Controller(
        CatcherHandler(directory),
        hostname=host,
        port=port,
        server_hostname="mailcatcher.localhost",
        ready_timeout=10.0,
    )


def start_catcher(
    directory: str | Path, host: str = "127.0.0.1", port: int = 0
) -> tuple[int, Callable[[], None]]:
    """Start a catcher in a background thread; return ``(port, stop)``. Port 0 picks a free
    port (aiosmtpd's Controller needs a concrete one)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    actual = port or _free_port(host)
    controller = _controller(directory, host, actual)
    controller.start()
    return actual, controller.stop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.mailcatcher", description="Development SMTP catcher."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default="var/mail", help="where .eml files are stored")
    args = parser.parse_args(argv)

    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    directory = Path(args.dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        controller = _controller(directory, args.host, args.port)
        controller.start()
    except (OSError, TimeoutError) as exc:
        print(f"Mail catcher could not listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(
        f"Mail catcher listening on smtp://{args.host}:{args.port}, storing in {directory}",
        flush=True,
    )
    try:
        while not stop_requested:
            time.sleep(0.2)
    finally:
        controller.stop()
    print("Mail catcher stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
