"""replica tables of the other desks' cases, notes and verifications (merges 0004 and 0005)

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2026-11-22 06:44:02.652782
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = ("0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replica_case_note",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("author_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_case_note")),
    )
    op.create_table(
        "replica_case_record",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_type", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("channel", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=24), autoincrement=False, nullable=False),
        sa.Column("summary", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("opened_by_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opened_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("due_on", sa.Date(), autoincrement=False, nullable=False),
        sa.Column("resolution", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("closed_at", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("updated_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_case_record")),
    )
    op.create_table(
        "replica_verification_attempt",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("question_kind", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("result", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_verification_attempt")),
    )
    op.create_table(
        "replica_verification_lock",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("locked_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("failures", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("unlocked_at", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("unlocked_by_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("unlock_reason", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_verification_lock")),
    )
    op.create_table(
        "replica_verification_session",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("request_type", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("fields", sa.String(length=200), autoincrement=False, nullable=False),
        sa.Column("required_level", sa.String(length=16), autoincrement=False, nullable=False),
        sa.Column("started_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("expires_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("ended_at", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("end_reason", sa.String(length=32), autoincrement=False, nullable=True),
        sa.Column("affirmed_at", sa.DateTime(), autoincrement=False, nullable=True),
        sa.Column("affirmation_text", sa.Text(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_verification_session")),
    )


def downgrade() -> None:
    op.drop_table("replica_verification_session")
    op.drop_table("replica_verification_lock")
    op.drop_table("replica_verification_attempt")
    op.drop_table("replica_case_record")
    op.drop_table("replica_case_note")
