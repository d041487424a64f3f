"""The development mail catcher: SMTP in, .eml files on disk, decoded messages out."""

from __future__ import annotations

import os
import select
import signal
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from devtools.mailcatcher import list_messages, load_message, start_catcher, store_message

REPO = Path(__file__).resolve().parents[2]
SUBJECT = "Regisztráció megerősítése"


def _confirmation(to: str = "Kovács Éva <eva@example.hu>") -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = SUBJECT
    msg["From"] = "AOS Portal <noreply@aos.local>"
    msg["To"] = to
    msg["Message-ID"] = "<reg-1@aos.local>"
    msg.set_content("Kérjük, erősítse meg a regisztrációját: http://127.0.0.1:5000/c/abc\n")
    msg.add_alternative("<p>Kérjük, <a href='http://x/c/abc'>erősítse meg</a>.</p>\n", "html")
    return msg


def _send(port: int, msg: EmailMessage, to: list[str] | None = None) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg, to_addrs=to)


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def catcher(mailbox: Path) -> Iterator[int]:
    port, stop = start_catcher(mailbox)
    yield port
    stop()


def test_catches_multipart_hungarian_message(mailbox: Path, catcher: int) -> None:
    _send(catcher, _confirmation(), to=["eva@example.hu", "audit@aos.local"])

    [message] = list_messages(mailbox)
    assert message.subject == SUBJECT
    assert message.sender == "AOS Portal <noreply@aos.local>"
    assert message.recipients == ["eva@example.hu", "audit@aos.local"]  # envelope, incl. Bcc
    assert message.message_id == "<reg-1@aos.local>"
    assert message.text == "Kérjük, erősítse meg a regisztrációját: http://127.0.0.1:5000/c/abc\n"
    assert message.html is not None and "erősítse meg</a>" in message.html
    assert b"Subject: =?utf-8?" in message.raw  # raw bytes as sent: RFC 2047 encoded
    assert not message.raw.startswith(b"X-Catcher-")
    assert abs(datetime.now(UTC) - message.received_at) < timedelta(minutes=1)
    assert load_message(mailbox, message.id) == message
    assert [p.suffix for p in mailbox.iterdir()] == [".eml"]


def test_messages_survive_restart_newest_first(mailbox: Path) -> None:
    port, stop = start_catcher(mailbox)
    try:
        _send(port, _confirmation("first@example.hu"))
    finally:
        stop()
    port, stop = start_catcher(mailbox)
    try:
        _send(port, _confirmation("second@example.hu"))
    finally:
        stop()

    messages = list_messages(mailbox)
    assert [m.recipients for m in messages] == [["second@example.hu"], ["first@example.hu"]]
    assert messages[0].received_at >= messages[1].received_at


@pytest.mark.parametrize(
    "bad_id",
    ["../secret_key", "..", "../mail/x", "/etc/passwd", "a/b", "", ".hidden", "x.eml", "x\x00"],
)
def test_load_message_refuses_path_traversal(tmp_path: Path, mailbox: Path, bad_id: str) -> None:
    store_message(mailbox, b"Subject: hi\r\n\r\nbody\r\n")
    (tmp_path / "secret_key.eml").write_bytes(b"Subject: secret\r\n\r\nsecret\r\n")
    (tmp_path / "secret_key").write_text("secret")
    assert load_message(mailbox, bad_id) is None


def test_load_message_refuses_symlink_out_of_the_mailbox(tmp_path: Path, mailbox: Path) -> None:
    store_message(mailbox, b"Subject: hi\r\n\r\nbody\r\n")
    (tmp_path / "outside.eml").write_bytes(b"Subject: secret\r\n\r\nsecret\r\n")
    (mailbox / "link.eml").symlink_to(tmp_path / "outside.eml")
    assert load_message(mailbox, "link") is None
    assert load_message(mailbox, "nope") is None


def test_plain_eml_without_catcher_headers(mailbox: Path) -> None:
    mailbox.mkdir()
    (mailbox / "manual.eml").write_bytes(
        b"From: a@example.hu\r\nTo: b@example.hu, c@example.hu\r\n"
        b"Subject: =?utf-8?q?=C3=81rlista?=\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"\r\n<b>\xc3\xa1r</b>\r\n"
    )
    message = load_message(mailbox, "manual")
    assert message is not None
    assert (message.subject, message.recipients) == ("Árlista", ["b@example.hu", "c@example.hu"])
    assert (message.text, message.html) == (None, "<b>ár</b>\n")


def test_missing_mailbox_is_empty(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "nowhere") == []
    assert load_message(tmp_path / "nowhere", "x") is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_command_line_catcher(mailbox: Path) -> None:
    port = _free_port()
    argv = [sys.executable, "-m", "devtools.mailcatcher", "--port", str(port), "--dir", mailbox]
    proc = subprocess.Popen(
        argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "the catcher printed nothing within 20 s"
        line = proc.stdout.readline()
        assert line.strip() == (
            f"Mail catcher listening on smtp://127.0.0.1:{port}, storing in {mailbox}"
        )
        _send(port, _confirmation())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()
    assert [m.subject for m in list_messages(mailbox)] == [SUBJECT]
    assert all(os.access(p, os.R_OK) for p in mailbox.iterdir())
