"""An in-process SMTP server (aiosmtpd) that keeps messages by recipient in memory.

The development catcher (devtools/mailcatcher.py) writes one file per message, which is right
for a person reading a mailbox; a driver waiting for thousands of messages needs "block until
a message to X arrives" instead, without listing a directory each time.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s\"'<>]+")


@dataclass
class Mail:
    recipients: list[str]
    subject: str
    message_id: str
    text: str
    received: float  # time.monotonic() at arrival

    def links(self) -> list[str]:
        return LINK.findall(self.text)


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        body = message.get_body(preferencelist=("plain", "html"))
        mail = Mail(
            recipients=[r.lower() for r in envelope.rcpt_tos],
            subject=str(message.get("Subject", "")),
            message_id=str(message.get("Message-ID", "")),
            text=body.get_content() if body is not None else "",
            received=time.monotonic(),
        )
        self.sink.deliver(mail)
        return "250 OK"


class MailSink:
    def __init__(self) -> None:
        self._by_recipient: dict[str, list[Mail]] = defaultdict(list)
        self._changed = threading.Condition()
        with socket.socket() as probe:  # aiosmtpd's Controller needs a concrete port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.count = 0

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def deliver(self, mail: Mail) -> None:
        with self._changed:
            for recipient in mail.recipients:
                self._by_recipient[recipient].append(mail)
            self.count += 1
            self._changed.notify_all()

    def messages(self, to: str) -> list[Mail]:
        with self._changed:
            return list(self._by_recipient.get(to.lower(), ()))

    def wait_for_subject(self, to: str, words: str, timeout: float = 60.0) -> Mail:
        """The first message to `to` whose subject contains `words`, once it has arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for mail in self._by_recipient.get(to.lower(), ()):
                    if words in mail.subject:
                        return mail
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no message {words!r} to {to} within {timeout:.0f}s")
                self._changed.wait(left)

    def wait_for(self, to: str, count: int = 1, timeout: float = 60.0) -> list[Mail]:
        """The first `count` messages to `to`, in arrival order, once they have arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._by_recipient.get(to.lower(), ())) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {count} message(s) to {to} within {timeout:.0f}s")
                self._changed.wait(left)
            return list(self._by_recipient[to.lower()][:count])
