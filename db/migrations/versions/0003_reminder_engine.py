"""Reminder engine: due instants on slots, pause and quiet hours, the delivery ledger.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("slot_key", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("drill_ids", sa.String(length=255), nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("response", sa.String(length=16), nullable=True),
        sa.Column("responded_at", UTC_DATETIME, nullable=True),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_deliveries_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "patient_id", "local_date", "slot_key", name=op.f("uq_deliveries_patient_id")
        ),
    )
    op.create_index("ix_deliveries_status_due_at", "deliveries", ["status", "due_at"])
    op.create_table(
        "drill_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("drill_id", sa.String(length=64), nullable=False),
        sa.Column("completed_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_drill_sessions_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_drill_sessions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_sessions")),
    )
    op.create_index(op.f("ix_drill_sessions_patient_id"), "drill_sessions", ["patient_id"])
    with op.batch_alter_table("patients") as batch_op:
        batch_op.add_column(sa.Column("paused_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("paused_until", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("pause_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("quiet_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("unanswered_reminders", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("reminder_slots") as batch_op:
        batch_op.add_column(sa.Column("next_due_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(op.f("ix_reminder_slots_next_due_at"), ["next_due_at"])


def downgrade() -> None:
    with op.batch_alter_table("reminder_slots") as batch_op:
        batch_op.drop_index(op.f("ix_reminder_slots_next_due_at"))
        batch_op.drop_column("next_due_at")
    with op.batch_alter_table("patients") as batch_op:
        for column in (
            "unanswered_reminders",
            "quiet_end",
            "quiet_start",
            "pause_reason",
            "paused_until",
            "paused_at",
        ):
            batch_op.drop_column(column)
    op.drop_index(op.f("ix_drill_sessions_patient_id"), table_name="drill_sessions")
    op.drop_table("drill_sessions")
    op.drop_index("ix_deliveries_status_due_at", table_name="deliveries")
    op.drop_table("deliveries")
