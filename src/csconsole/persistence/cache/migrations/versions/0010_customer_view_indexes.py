"""indexes the customer's 360 view reads by: a customer's audit events and other desks' cases

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-06 00:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_event_customer_id_seq"), ["customer_id", "seq"], unique=False
        )
    with op.batch_alter_table("replica_case_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_replica_case_record_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("replica_case_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_case_record_customer_id"))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_customer_id_seq"))
