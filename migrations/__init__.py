"""Alembic migrations of the AOS Portal database (a package so that it is installed with the
app; `webapp.db.create_schema` runs them)."""
