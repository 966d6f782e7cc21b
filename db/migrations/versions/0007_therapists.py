"""The therapist side: therapists and their invites, the care link between a patient and a
therapist, notes, a therapist's plan (doses, days a week, longer drill lists), alerts'
acknowledgement, and outbox rows addressed to a therapist.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "therapists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", UTC_DATETIME, nullable=True),
        sa.Column("summary_weekday", sa.Integer(), nullable=False),
        sa.Column("summary_time", sa.Time(), nullable=False),
        sa.Column("next_summary_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapists")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_therapists_telegram_user_id")),
    )
    with op.batch_alter_table("therapists") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_therapists_next_summary_at"), ["next_summary_at"], unique=False
        )

    op.create_table(
        "therapist_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["therapists.id"],
            name=op.f("fk_therapist_invites_used_by_therapists"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapist_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_therapist_invites_code_hash")),
    )

    op.create_table(
        "patient_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_patient_invites_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_patient_invites_code_hash")),
    )
    with op.batch_alter_table("patient_invites") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_invites_therapist_id"), ["therapist_id"], unique=False
        )

    op.create_table(
        "care_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("patient_name", sa.String(length=100), nullable=False),
        sa.Column("linked_at", UTC_DATETIME, nullable=False),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_care_links_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_care_links_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_links")),
    )
    with op.batch_alter_table("care_links") as batch_op:
        batch_op.create_index(
            "uq_care_links_open_patient",
            ["patient_id"],
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )
        batch_op.create_index(
            "ix_care_links_therapist_id_ended_at", ["therapist_id", "ended_at"], unique=False
        )

    op.create_table(
        "therapist_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.Column("reply", sa.String(length=1000), nullable=True),
        sa.Column("replied_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_therapist_notes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["therapists.id"],
            name=op.f("fk_therapist_notes_therapist_id_therapists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapist_notes")),
    )
    with op.batch_alter_table("therapist_notes") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_therapist_notes_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_therapist_notes_therapist_id"), ["therapist_id"], unique=False
        )

    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("therapist_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("payload", JSON_DOCUMENT, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_therapist_id_therapists"),
            "therapists",
            ["therapist_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_therapist_id"), ["therapist_id", "local_date", "slot_key"]
        )

    with op.batch_alter_table("plans") as batch_op:
        batch_op.alter_column(
            "drill_ids", existing_type=sa.String(length=255), type_=sa.Text(), nullable=False
        )
        batch_op.add_column(sa.Column("therapist_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("doses", JSON_DOCUMENT, nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("days_per_week", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_therapist_id_therapists"),
            "therapists",
            ["therapist_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("plans") as batch_op:
        batch_op.alter_column("doses", server_default=None, existing_type=JSON_DOCUMENT)

    with op.batch_alter_table("safety_events") as batch_op:
        batch_op.add_column(sa.Column("acknowledged_at", UTC_DATETIME, nullable=True))
        batch_op.create_index(
            "ix_safety_events_undelivered",
            ["occurred_at"],
            postgresql_where=sa.text("delivered_at IS NULL"),
            sqlite_where=sa.text("delivered_at IS NULL"),
        )

    # Deleting a ledger row (erasing a patient) looks up what refers to it.
    for table in ("drill_sessions", "morning_checks"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_delivery_id"), ["delivery_id"])


def downgrade() -> None:
    for table in ("drill_sessions", "morning_checks"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_delivery_id"))
    with op.batch_alter_table("safety_events") as batch_op:
        batch_op.drop_index("ix_safety_events_undelivered")
        batch_op.drop_column("acknowledged_at")
    with op.batch_alter_table("plans") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plans_therapist_id_therapists"), type_="foreignkey")
        batch_op.drop_column("days_per_week")
        batch_op.drop_column("doses")
        batch_op.drop_column("therapist_id")
        batch_op.alter_column(
            "drill_ids", existing_type=sa.Text(), type_=sa.String(length=255), nullable=False
        )
    op.execute("DELETE FROM deliveries WHERE patient_id IS NULL")
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deliveries_therapist_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_deliveries_therapist_id_therapists"), type_="foreignkey"
        )
        batch_op.drop_column("payload")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("therapist_id")
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("therapist_notes")
    op.drop_table("care_links")
    op.drop_table("patient_invites")
    op.drop_table("therapist_invites")
    op.drop_table("therapists")
