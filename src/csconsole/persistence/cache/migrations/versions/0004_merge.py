"""merge the sync state (0002) and outbox/ledger (0003) branches

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
