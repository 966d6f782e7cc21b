"""Safety: the screen before the first drill, the hold a red flag starts, and safety events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch_op:
        batch_op.add_column(sa.Column("safety_screened_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("safety_hold", sa.String(length=32), nullable=True))
    op.create_table(
        "safety_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTC_DATETIME, nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("flag", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name="fk_safety_events_patient_id_patients",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_safety_events"),
    )
    op.create_index("ix_safety_events_patient_id", "safety_events", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_safety_events_patient_id", table_name="safety_events")
    op.drop_table("safety_events")
    with op.batch_alter_table("patients") as batch_op:
        batch_op.drop_column("safety_hold")
        batch_op.drop_column("safety_screened_at")
