"""The request's database session, and what a feature's service gets from Flask."""

from __future__ import annotations

from flask import current_app, g, url_for
from sqlalchemy.orm import Session

from webapp.service_context import ServiceContext


def db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["aos_sessions"]()
    return g.db


def bridge():  # type: ignore[no-untyped-def]
    """The process's TemporalBridge."""
    return current_app.extensions["aos_temporal"]


def services() -> ServiceContext:
    """The settings, bridge and link builder a service.py takes."""
    return ServiceContext(
        settings=current_app.config["SETTINGS"],
        bridge=bridge(),
        url_for=url_for,
    )
