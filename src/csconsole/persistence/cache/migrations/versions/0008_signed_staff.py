"""signed staff rows and unlocks: public key, sealed private key, signer and signature

Existing rows get none and cannot sign in until an admin re-signs them (docs/security.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sealed_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=128), nullable=True))

    with op.batch_alter_table("verification_unlock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=128), nullable=True))
    with op.batch_alter_table("replica_verification_unlock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verification_unlock", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signed_by")
    with op.batch_alter_table("replica_verification_unlock", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signed_by")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signed_by")
        batch_op.drop_column("sealed_key")
        batch_op.drop_column("public_key")
