"""Outbox: the delivery ledger records failed attempts, their cause and when to retry.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("error", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
        # Only rows waiting for another attempt: writes of all other rows never touch it.
        batch_op.create_index(
            "ix_deliveries_retry_at",
            ["retry_at"],
            postgresql_where=sa.text("retry_at IS NOT NULL"),
            sqlite_where=sa.text("retry_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_index("ix_deliveries_retry_at")
        batch_op.drop_column("retry_at")
        batch_op.drop_column("error")
        batch_op.drop_column("attempts")
