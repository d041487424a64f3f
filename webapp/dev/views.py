"""Development only: read the mail catcher's messages in the browser (/dev/mailbox)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from core.config import Settings
from webapp.dev import service

bp = Blueprint("dev", __name__, url_prefix="/dev")


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


@bp.get("/mailbox")
def mailbox() -> str:
    return render_template("dev/mailbox.html", messages=service.messages(_settings()))


@bp.get("/mailbox/<message_id>")
def message(message_id: str) -> str:
    stored = service.message(_settings(), message_id) or abort(404)
    return render_template("dev/message.html", message=stored)


@bp.get("/mailbox/<message_id>/html")
def message_html(message_id: str) -> Response:
    stored = service.message(_settings(), message_id) or abort(404)
    response = Response(stored.html or "", mimetype="text/html")
    # Shown in a sandboxed frame: the mail's HTML runs no script and loads nothing remote.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
