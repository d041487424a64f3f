"""Queue an email that is not part of a registration's workflow.

The message is stored first (the outbox), then OutboxMailWorkflow delivers it with
durable retries. If Temporal is down the row waits and the worker's periodic sweep, or
the next queue_email call, hands it over."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy.orm import Session

from webapp.models import OutboxMessage
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable

log = logging.getLogger(__name__)


def queue_email(
    session: Session,
    bridge: TemporalBridge,
    *,
    kind: str,
    recipient: str,
    language: str,
    context: dict[str, Any] | None = None,
    registration_id: str | None = None,
) -> OutboxMessage:
    """Store the email and hand it to Temporal. Commits the session."""
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
    hand_over(session, bridge, message)
    return message


def hand_over(session: Session, bridge: TemporalBridge, message: OutboxMessage) -> bool:
    try:
        bridge.start_outbox_mail(message.id)
    except TemporalUnavailable as err:
        log.warning("Temporal unavailable, email %s waits in the outbox: %s", message.id, err)
        return False
    message.workflow_started = True
    session.commit()
    return True
