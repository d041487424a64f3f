"""Development only: read the mail catcher's messages in the browser (/dev/mailbox)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from devtools.mailcatcher import list_messages, load_message

bp = Blueprint("dev", __name__, url_prefix="/dev")


def _dir() -> str:
    return current_app.config["SETTINGS"].mailbox_dir


@bp.get("/mailbox")
def mailbox() -> str:
    return render_template("dev/mailbox.html", messages=list_messages(_dir()))


@bp.get("/mailbox/<message_id>")
def message(message_id: str) -> str:
    stored = load_message(_dir(), message_id) or abort(404)
    return render_template("dev/message.html", message=stored)


@bp.get("/mailbox/<message_id>/html")
def message_html(message_id: str) -> Response:
    stored = load_message(_dir(), message_id) or abort(404)
    response = Response(stored.html or "", mimetype="text/html")
    # Shown in a sandboxed frame: the mail's HTML runs no script and loads nothing remote.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
