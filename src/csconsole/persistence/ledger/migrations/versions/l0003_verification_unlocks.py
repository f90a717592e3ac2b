"""central table of verification unlocks (owned: each desk's supervisors' unlocks)

Revision ID: l0003
Revises: l0002
Create Date: 2026-11-22 08:15:59.498841
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "l0003"
down_revision = "l0002"
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
        "csconsole_verification_unlock",
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unlocked_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("effective_at", TIMESTAMP, autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason", sa.Text(), autoincrement=False, nullable=False),
        sa.Column("lock_origin", sa.String(length=100), autoincrement=False, nullable=True),
        sa.Column("lock_id", sa.Integer(), autoincrement=False, nullable=True),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "id", name=op.f("pk_csconsole_verification_unlock")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_verification_unlock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_csconsole_verification_unlock_rev"), ["rev"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("csconsole_verification_unlock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_verification_unlock_rev"))

    op.drop_table("csconsole_verification_unlock")
