"""verification unlocks (an owned ledger table) and the replica of the other desks' unlocks

An unlock is its own record, made on the supervisor's desk, so it can lift a lock made on any
desk; ``verification_lock.unlocked_*`` are no longer written (still read, for older rows).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:15:57.328119
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replica_verification_unlock",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unlocked_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("effective_at", sa.DateTime(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("lock_origin", sa.String(length=100), autoincrement=False, nullable=True),
        sa.Column("lock_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_replica_verification_unlock")),
    )
    op.create_table(
        "verification_unlock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(), nullable=False),
        sa.Column("effective_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lock_origin", sa.String(length=100), nullable=True),
        sa.Column("lock_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_verification_unlock_staff_id_staff"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_unlock")),
    )
    with op.batch_alter_table("verification_unlock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_unlock_customer_id_effective_at"),
            ["customer_id", "effective_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_unlock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_unlock_customer_id_effective_at"))

    op.drop_table("verification_unlock")
    op.drop_table("replica_verification_unlock")
