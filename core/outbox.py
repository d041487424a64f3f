"""The outbox: an email that is not part of a registration's workflow is stored first, then
OutboxMailWorkflow delivers it (the web app hands it over; the worker's sweep picks up what
could not be handed over)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy.orm import Session

from core.models import OutboxMessage


def store_email(
    session: Session,
    *,
    kind: str,
    recipient: str,
    language: str,
    context: dict[str, Any] | None = None,
    registration_id: str | None = None,
) -> OutboxMessage:
    """Store the message to send. Commits the session."""
    message = OutboxMessage(
        id=secrets.token_hex(8),
        kind=kind,
        recipient=recipient,
        language=language,
        context=context or {},
        registration_id=registration_id,
    )
    session.add(message)
    session.commit()
    return message
