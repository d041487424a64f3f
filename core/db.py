"""Engine and sessions. Plain SQLAlchemy 2.0 so the worker's activities and the web app
share the same models without needing a Flask app context."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from alembic.config import Config
from sqlalchemy import (
    Connection,
    CursorResult,
    Delete,
    Engine,
    Update,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.orm import Session, sessionmaker

from core.models.base import Base

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # web and worker write concurrently
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def changed_rows(session: Session, statement: Update | Delete) -> int:
    """How many rows an UPDATE or DELETE changed. Session.execute is typed as giving any
    Result; for these statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def import_models() -> None:
    """Register every table on Base.metadata (the models package imports them all)."""
    import core.models  # noqa: F401


class SchemaError(RuntimeError):
    """The database cannot be brought to the models' schema by the migrations."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the migrations in migrations/; with a connection, the
    migrations run on it (inside its transaction)."""
    config = Config()
    # A path, not an import: migrations/env.py imports core, not the other way round.
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def schema_diff(connection: Connection) -> list:  # type: ignore[type-arg]
    """What differs between the database and the models (alembic's autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import_models()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def describe_difference(difference: Any) -> str:
    """One of alembic's autogenerate differences in a few words ("add_table prices")."""
    item = difference[0] if isinstance(difference, list) else difference
    names = [getattr(p, "name", p) for p in item[1:] if isinstance(p, str) or hasattr(p, "name")]
    return " ".join([str(item[0]), ".".join(str(n) for n in names[:2] if n)])


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest migration (`alembic upgrade head`); idempotent.

    A database made before the migrations existed (tables, no alembic_version) is adopted
    when it matches the models exactly, and refused otherwise."""
    from alembic import command

    import_models()
    with engine.begin() as conn:
        config = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and tables & set(Base.metadata.tables):
            diff = schema_diff(conn)
            if diff:
                shown = ", ".join(describe_difference(d) for d in diff[:5])
                raise SchemaError(
                    "The database has tables but no migration history, and they differ from "
                    f"the models ({len(diff)} difference(s): {shown}). Back it up, then drop "
                    "it (development: delete var/aos.db) or bring it to the models by hand and "
                    "run `alembic stamp head`."
                )
            command.stamp(config, "head")
        command.upgrade(config, "head")
