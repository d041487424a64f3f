"""GET /healthz → 200 when the database and Temporal answer."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from webapp.database import bridge, db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db().execute(text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        database = False
    temporal = bridge().ping()
    ok = database and temporal
    return jsonify(database=database, temporal=temporal, ok=ok), (200 if ok else 503)
