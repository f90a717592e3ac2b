"""sync state: watermarks and key totals, row hashes, recent rows, row issues, the sync log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_table_state",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("source_table", sa.String(length=128), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("watermark", sa.Text(), nullable=True),
        sa.Column("watermark_key", sa.BigInteger(), nullable=True),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("pulled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("entity", name=op.f("pk_sync_table_state")),
    )
    op.create_table(
        "sync_row_hash",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "row_key", name=op.f("pk_sync_row_hash")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_recent_row",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "row_key", name=op.f("pk_sync_recent_row")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_row_issue",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("row_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("source_table", sa.String(length=128), nullable=False),
        sa.Column("column_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "row_key", name=op.f("pk_sync_row_issue")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("mapping", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_written", sa.BigInteger(), nullable=False),
        sa.Column("rows_deleted", sa.BigInteger(), nullable=False),
        sa.Column("rows_skipped", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_started_at"), ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_started_at"))
    op.drop_table("sync_run")
    op.drop_table("sync_row_issue")
    op.drop_table("sync_recent_row")
    op.drop_table("sync_row_hash")
    op.drop_table("sync_table_state")
