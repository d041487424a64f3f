"""The request's database session."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["aos_sessions"]()
    return g.db


def bridge():  # type: ignore[no-untyped-def]
    """The process's TemporalBridge."""
    return current_app.extensions["aos_temporal"]
