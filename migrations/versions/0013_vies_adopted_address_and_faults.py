"""VIES: the address adopted verbatim, and the portal's own VIES faults for the console.

Revision ID: 0013
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("adopted_address", sa.Text(), nullable=True))
    op.create_table(
        "vies_faults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_vies_faults_at", "vies_faults", ["at"])


def downgrade() -> None:
    op.drop_index("ix_vies_faults_at", table_name="vies_faults")
    op.drop_table("vies_faults")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("adopted_address")
