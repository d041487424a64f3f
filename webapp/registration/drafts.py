"""A wizard in progress, kept on the server so back, forward and reload lose nothing.

The browser holds only the draft's id (in the session cookie); the password is kept
only as its argon2 hash, from the moment the access step is sent."""

from __future__ import annotations

import secrets
from typing import Any

from flask import session
from sqlalchemy.orm import Session

from core.models import RegistrationDraft

SESSION_KEY = "registration_draft"


def current_draft(db: Session, create: bool = False) -> RegistrationDraft | None:
    draft_id = session.get(SESSION_KEY)
    draft = db.get(RegistrationDraft, draft_id) if draft_id else None
    if draft is None and create:
        draft = RegistrationDraft(id=secrets.token_hex(16), data={}, completed=0)
        db.add(draft)
        db.commit()
        session[SESSION_KEY] = draft.id
    return draft


def save_step(db: Session, draft: RegistrationDraft, step: int, values: dict[str, Any]) -> None:
    draft.data = {**draft.data, **values}  # a new dict, so the JSON column sees the change
    draft.completed = max(draft.completed, step)
    db.commit()


def forget(db: Session, draft: RegistrationDraft | None) -> None:
    if draft is not None:
        db.delete(draft)
        db.commit()
    session.pop(SESSION_KEY, None)
