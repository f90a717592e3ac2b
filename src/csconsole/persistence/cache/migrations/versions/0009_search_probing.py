"""the search-probing tripwire: search traces (keyed hashes only), stops, the trace key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_trace_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_trace_key")),
    )
    op.create_table(
        "search_trace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text_key", sa.String(length=32), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("near_miss", sa.Boolean(), nullable=False),
        sa.Column("identifier_hits", sa.Text(), nullable=False),
        sa.Column("hits", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_trace")),
    )
    with op.batch_alter_table("search_trace", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_trace_username_at"), ["username", "at"], unique=False
        )
    op.create_table(
        "search_stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lock_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_stop")),
    )
    with op.batch_alter_table("search_stop", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_stop_username_cleared_at"),
            ["username", "cleared_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("search_stop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_stop_username_cleared_at"))
    op.drop_table("search_stop")
    with op.batch_alter_table("search_trace", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_trace_username_at"))
    op.drop_table("search_trace")
    op.drop_table("search_trace_key")
