"""cases, case notes, caller verification (sessions, attempts, locks), audit checkpoint

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22 05:08:14.652538
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("broken_seq", sa.Integer(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "case_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_type", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["staff.id"],
            name=op.f("fk_case_record_closed_by_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["staff.id"],
            name=op.f("fk_case_record_opened_by_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff.id"],
            name=op.f("fk_case_record_owner_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_record")),
    )
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_record_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_record_owner_id_status"), ["owner_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_record_status_due_on"), ["status", "due_on"], unique=False
        )

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff.id"],
            name=op.f("fk_case_note_author_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_note_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "verification_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("request_type", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.String(length=200), nullable=False),
        sa.Column("required_level", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("affirmed_at", sa.DateTime(), nullable=True),
        sa.Column("affirmation_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_verification_session_case_id_case_record"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_verification_session_staff_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_session")),
    )
    with op.batch_alter_table("verification_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_session_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_session_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "verification_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("question_kind", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["verification_session.id"],
            name=op.f("fk_verification_attempt_session_id_verification_session"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_verification_attempt_staff_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempt")),
    )
    with op.batch_alter_table("verification_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_attempt_customer_id_at"),
            ["customer_id", "at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_verification_attempt_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "verification_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(), nullable=True),
        sa.Column("unlocked_by_id", sa.Integer(), nullable=True),
        sa.Column("unlock_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["verification_session.id"],
            name=op.f("fk_verification_lock_session_id_verification_session"),
        ),
        sa.ForeignKeyConstraint(
            ["unlocked_by_id"],
            ["staff.id"],
            name=op.f("fk_verification_lock_unlocked_by_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_lock")),
    )
    with op.batch_alter_table("verification_lock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_lock_customer_id_unlocked_at"),
            ["customer_id", "unlocked_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_lock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_lock_customer_id_unlocked_at"))

    op.drop_table("verification_lock")
    with op.batch_alter_table("verification_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_attempt_session_id"))
        batch_op.drop_index(batch_op.f("ix_verification_attempt_customer_id_at"))

    op.drop_table("verification_attempt")
    with op.batch_alter_table("verification_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_session_customer_id"))
        batch_op.drop_index(batch_op.f("ix_verification_session_case_id"))

    op.drop_table("verification_session")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_record_status_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_record_owner_id_status"))
        batch_op.drop_index(batch_op.f("ix_case_record_customer_id"))

    op.drop_table("case_record")
    op.drop_table("audit_checkpoint")
