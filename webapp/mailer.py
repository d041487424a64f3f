"""Queue an email that is not part of a registration's workflow.

The message is stored first (the outbox), then OutboxMailWorkflow delivers it with
durable retries. If Temporal is down the row waits and the worker's periodic sweep, or
the next queue_email call, hands it over."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from core.models import OutboxMessage
from core.outbox import store_email
from webapp.temporal_bridge import TemporalBridge, TemporalUnavailable

log = logging.getLogger(__name__)


def queue_email(session: Session, bridge: TemporalBridge, **fields: Any) -> OutboxMessage:
    """Store the email (fields as core.outbox.store_email takes them: kind, recipient,
    language, context, registration_id) and hand it to Temporal. Commits the session."""
    message = store_email(session, **fields)
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
