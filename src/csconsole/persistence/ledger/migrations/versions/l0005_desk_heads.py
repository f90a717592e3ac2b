"""audit chains by desk id, and each desk's pushed heads

Revision ID: l0005
Revises: l0003
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "l0005"
down_revision = "l0003"
branch_labels = None
depends_on = None

# Dialect options as keywords (typed Any: create_table types each of its own).
MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    # Existing rows keep desk NULL: they belong to the chain their workstation names (no UPDATE
    # of anyone's events, which the ledger's append-only rules may forbid).
    with op.batch_alter_table("csconsole_audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("desk", sa.String(length=100), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_csconsole_audit_event_desk_seq"), ["desk", "seq"], unique=True
        )
    op.create_table(
        "csconsole_desk_head",
        sa.Column("desk", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("desk", "seq", name=op.f("pk_csconsole_desk_head")),
        **MYSQL,
    )
    with op.batch_alter_table("csconsole_desk_head", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csconsole_desk_head_rev"), ["rev"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("csconsole_desk_head", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_desk_head_rev"))
    op.drop_table("csconsole_desk_head")
    with op.batch_alter_table("csconsole_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csconsole_audit_event_desk_seq"))
        batch_op.drop_column("desk")
