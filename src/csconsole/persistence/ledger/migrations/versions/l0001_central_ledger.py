"""central ledger: clock, applied keys, staff, audit events per workstation

Revision ID: l0001
Revises:
Create Date: 2026-11-22 05:40:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "l0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# Dialect options as keywords (typed Any: Table and create_table type each of their own).
MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    clock = op.create_table(
        "csconsole_ledger_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csconsole_ledger_clock")),
        **MYSQL,
    )
    op.bulk_insert(clock, [{"id": 1, "rev": 0}])
    op.create_table(
        "csconsole_ledger_applied",
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("applied_at", TIMESTAMP, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_csconsole_ledger_applied")),
        **MYSQL,
    )
    op.create_table(
        "csconsole_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csconsole_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_csconsole_staff_username")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csconsole_staff_rev"), ["rev"], unique=False)

    op.create_table(
        "csconsole_audit_event",
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("details", LONG_TEXT, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workstation", "seq", name=op.f("pk_csconsole_audit_event")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csconsole_audit_event_rev"), ["rev"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("csconsole_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_audit_event_rev"))
    op.drop_table("csconsole_audit_event")
    with op.batch_alter_table("csconsole_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_staff_rev"))
    op.drop_table("csconsole_staff")
    op.drop_table("csconsole_ledger_applied")
    op.drop_table("csconsole_ledger_clock")
