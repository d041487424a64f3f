"""Reports to NAV Online Számla (issue 27): one row per invoice and attempt.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nav_reports",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("invoice_number", sa.String(length=50), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("transaction_id", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_number", "attempt", name="uq_nav_report_attempt"),
    )
    op.create_index("ix_nav_reports_invoice_number", "nav_reports", ["invoice_number"])


def downgrade() -> None:
    op.drop_index("ix_nav_reports_invoice_number", table_name="nav_reports")
    op.drop_table("nav_reports")
