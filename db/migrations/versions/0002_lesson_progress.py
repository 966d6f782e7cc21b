"""Lesson progress: which lessons a patient has read and how they answered each quiz.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(length=64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quiz_correct", sa.Boolean(), nullable=True),
        sa.Column("quiz_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_lesson_progress_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_progress")),
        sa.UniqueConstraint("patient_id", "lesson_id", name=op.f("uq_lesson_progress_patient_id")),
    )
    op.create_index(
        op.f("ix_lesson_progress_patient_id"), "lesson_progress", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_lesson_progress_patient_id"), table_name="lesson_progress")
    op.drop_table("lesson_progress")
