"""central tables of the owned case records: cases, notes, verification sessions, attempts, locks

Revision ID: l0002
Revises: l0001
Create Date: 2026-11-22 06:44:02.737531
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "l0002"
down_revision = "l0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# Dialect options as keywords (typed Any: Table and create_table type each of their own).
MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    op.create_table(
        "csconsole_case_note",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("author_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_case_note")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csconsole_case_note_rev"), ["rev"], unique=False)

    op.create_table(
        "csconsole_case_record",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_type", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("channel", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=24), autoincrement=False, nullable=False),
        sa.Column("summary", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("opened_by_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opened_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("due_on", sa.Date(), autoincrement=False, nullable=False),
        sa.Column("resolution", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("closed_at", TIMESTAMP, autoincrement=False, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("updated_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_case_record")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_case_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csconsole_case_record_rev"), ["rev"], unique=False)

    op.create_table(
        "csconsole_verification_attempt",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("question_kind", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("result", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_verification_attempt")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_verification_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_csconsole_verification_attempt_rev"), ["rev"], unique=False
        )

    op.create_table(
        "csconsole_verification_lock",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("locked_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("failures", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("unlocked_at", TIMESTAMP, autoincrement=False, nullable=True),
        sa.Column("unlocked_by_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("unlock_reason", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_verification_lock")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_verification_lock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_csconsole_verification_lock_rev"), ["rev"], unique=False
        )

    op.create_table(
        "csconsole_verification_session",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("request_type", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("fields", sa.String(length=200), autoincrement=False, nullable=False),
        sa.Column("required_level", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("started_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("expires_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("ended_at", TIMESTAMP, autoincrement=False, nullable=True),
        sa.Column("end_reason", sa.String(length=32), autoincrement=False, nullable=True),
        sa.Column("affirmed_at", TIMESTAMP, autoincrement=False, nullable=True),
        sa.Column("affirmation_text", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_verification_session")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_verification_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_csconsole_verification_session_rev"), ["rev"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("csconsole_verification_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_verification_session_rev"))

    op.drop_table("csconsole_verification_session")
    with op.batch_alter_table("csconsole_verification_lock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_verification_lock_rev"))

    op.drop_table("csconsole_verification_lock")
    with op.batch_alter_table("csconsole_verification_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_verification_attempt_rev"))

    op.drop_table("csconsole_verification_attempt")
    with op.batch_alter_table("csconsole_case_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_case_record_rev"))

    op.drop_table("csconsole_case_record")
    with op.batch_alter_table("csconsole_case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_case_note_rev"))

    op.drop_table("csconsole_case_note")
