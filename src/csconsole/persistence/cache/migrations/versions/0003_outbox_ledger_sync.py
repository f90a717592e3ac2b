"""outbox, sync conflicts, ledger replica bookkeeping, other workstations' audit events

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_status_id"), ["status", "id"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("shop_values", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_sync_conflict_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_sync_conflict_outbox_id")),
    )
    op.create_table(
        "ledger_replica_state",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("pulled_rev", sa.BigInteger(), nullable=False),
        sa.Column("pushed_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_ledger_replica_state")),
    )
    op.create_table(
        "ledger_row_version",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_key", name=op.f("pk_ledger_row_version")),
    )
    op.create_table(
        "replica_audit_event",
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workstation", "seq", name=op.f("pk_replica_audit_event")),
    )
    with op.batch_alter_table("replica_audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_replica_audit_event_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("replica_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_audit_event_customer_id"))
        batch_op.drop_index(batch_op.f("ix_replica_audit_event_at"))
    op.drop_table("replica_audit_event")
    op.drop_table("ledger_row_version")
    op.drop_table("ledger_replica_state")
    op.drop_table("sync_conflict")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status_id"))
    op.drop_table("outbox")
