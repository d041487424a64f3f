"""One module per revision; alembic ignores this file."""
