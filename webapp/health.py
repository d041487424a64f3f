"""Health endpoints.

- GET /healthz and GET /readyz → 200 when the database and Temporal answer, else 503 (the
  stable interface of ARCHITECTURE.md; /readyz is the same check under the name load
  balancers and orchestrators expect for "send me traffic").
- GET /livez → 200 while the process serves requests, whatever its dependencies do: restart
  a web container when this fails, not when /readyz does.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from webapp.database import bridge, db

bp = Blueprint("health", __name__)


def _ready() -> tuple[Response, int]:
    try:
        db().execute(text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        database = False
    temporal = bridge().ping()
    ok = database and temporal
    response = jsonify(database=database, temporal=temporal, ok=ok)
    response.headers["Cache-Control"] = "no-store"
    return response, (200 if ok else 503)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    return _ready()


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    return _ready()


@bp.get("/livez")
def livez() -> Response:
    response = jsonify(ok=True)
    response.headers["Cache-Control"] = "no-store"
    return response
