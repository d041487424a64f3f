"""The development mailbox without Flask: the mail catcher's folder from the settings."""

from __future__ import annotations

from core.config import Settings
from devtools.mailcatcher import StoredMessage, list_messages, load_message


def messages(settings: Settings) -> list[StoredMessage]:
    return list_messages(settings.mailbox_dir)


def message(settings: Settings, message_id: str) -> StoredMessage | None:
    return load_message(settings.mailbox_dir, message_id)
