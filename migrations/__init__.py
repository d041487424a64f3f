"""Alembic migrations of the AOS Portal database (a package so that it is installed with the
app; `core.db.create_schema` runs them)."""
