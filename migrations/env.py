"""Alembic environment.

Run two ways: by `core.db.create_schema` (init-db, `make run`, the containers' migrate step,
the tests), which hands over its connection in ``config.attributes["connection"]``; or by the
``alembic`` command line (``alembic revision --autogenerate``, ``alembic downgrade -1``), which
connects to ``DATABASE_URL`` (default: the development SQLite file).
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text

from core.config import DEFAULT_SQLITE
from core.db import Base, import_models, make_engine

config = context.config
if config.config_file_name and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import_models()
target_metadata = Base.metadata
# Several containers may start at once: one upgrade at a time on PostgreSQL.
ADVISORY_LOCK_ID = 0x414F53  # "AOS"


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or DEFAULT_SQLITE
    )


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        **kwargs,
    )


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
