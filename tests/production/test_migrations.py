"""The schema comes only from the migrations: up and down on SQLite and PostgreSQL, every
revision one step at a time, and the models agree with the newest revision."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from core.db import (
    Base,
    SchemaError,
    alembic_config,
    create_schema,
    import_models,
    make_engine,
    schema_diff,
)

import_models()
MODEL_TABLES = set(Base.metadata.tables)


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An empty database: a new SQLite file, or a schema of its own in the PostgreSQL test
    database (search_path), dropped afterwards."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL case: set TEST_DATABASE_URL=postgresql+psycopg://… (.ci/run does)")
    schema = f"migration_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _run(engine: Engine, action, *args: str) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        action(alembic_config(conn), *args)


def _current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_upgrade_to_head_then_downgrade_to_base(empty_engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    create_schema(empty_engine)
    assert _tables(empty_engine) == MODEL_TABLES | {"alembic_version"}
    assert _current(empty_engine) == head
    with empty_engine.connect() as conn:
        assert schema_diff(conn) == [], "the models differ from the newest migration"

    create_schema(empty_engine)  # idempotent: already at head
    assert _current(empty_engine) == head

    _run(empty_engine, command.downgrade, "base")
    assert _tables(empty_engine) == {"alembic_version"}
    assert _current(empty_engine) is None


def test_every_revision_goes_up_down_and_up_again(empty_engine: Engine) -> None:
    """The stairway: each revision's downgrade undoes its upgrade, one step at a time."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(reversed(list(script.walk_revisions("base", "heads"))))
    assert revisions, "no migrations found"
    for revision in revisions:
        _run(empty_engine, command.upgrade, revision.revision)
        _run(empty_engine, command.downgrade, revision.down_revision or "base")
        _run(empty_engine, command.upgrade, revision.revision)
        assert _current(empty_engine) == revision.revision
    with empty_engine.connect() as conn:
        assert schema_diff(conn) == []


def test_the_test_database_was_built_by_the_migrations(database_url: str) -> None:
    """The database every other test uses (SQLite or TEST_DATABASE_URL) is at head, and a
    column added to a model without a migration fails here."""
    engine = make_engine(database_url)
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert _current(engine) == head
        with engine.connect() as conn:
            diff = schema_diff(conn)
        assert diff == [], (
            "models and migrations disagree; add a revision: DATABASE_URL=… "
            f".venv/bin/alembic revision --autogenerate -m '…'. Differences: {diff}"
        )
    finally:
        engine.dispose()


def test_a_database_from_before_the_migrations_is_adopted_when_it_matches(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    Base.metadata.create_all(engine)  # what init-db did before there were migrations
    create_schema(engine)
    assert _current(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine.dispose()


def test_a_database_from_before_the_migrations_that_differs_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'odd.db'}")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_registrations_status"))
    with pytest.raises(SchemaError, match="no migration history"):
        create_schema(engine)
    assert "alembic_version" not in _tables(engine)
    engine.dispose()
