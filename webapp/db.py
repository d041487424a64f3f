"""Engine and sessions. Plain SQLAlchemy 2.0 so the worker's activities and the web app
share the same models without needing a Flask app context."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # web and worker write concurrently
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    from webapp import models  # noqa: F401  (registers the tables)
    from webapp.pricing import models as _pricing  # noqa: F401
    from webapp.registration import drafts  # noqa: F401
    from webapp.support import models as _support  # noqa: F401
    from webapp.support import ratelimit as _ratelimit  # noqa: F401

    Base.metadata.create_all(engine)
