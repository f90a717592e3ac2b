"""``csconsole_applied``: the one table the console creates in the shop's database.

One row per outbox item the shop has seen, written in the same shop transaction as the item's
change, so an item is applied at most once however often a push is retried or killed:

| column | meaning |
|---|---|
| ``idempotency_key`` | SHA-256 (hex) of the cache's origin id and the item's idempotency key |
| ``applied_at`` | when (UTC) |
| ``outcome`` | ``applied``, ``conflict``, ``missing`` or ``failed`` |
| ``kind`` | correction, opt_out, erasure, account_flag |
| ``origin`` | the workstation that pushed it |

It holds no personal data: keys are hashes, the rest are codes and names.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, DateTime, MetaData, String, Table, exc

from csconsole.services.outbox import qualified_key

APPLIED_TABLE = "csconsole_applied"

_metadata = MetaData()
applied = Table(
    APPLIED_TABLE,
    _metadata,
    Column("idempotency_key", String(64), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("origin", String(100), nullable=False),
)


def shop_key(origin: str, idempotency_key: str) -> str:
    """The key the shop stores: an item's key qualified by the cache it came from, hashed."""
    return qualified_key(origin, idempotency_key)


def ensure_applied_table(conn: Connection) -> None:
    """Create the table when missing (in its own transaction: DDL commits on MariaDB)."""
    try:
        with conn.begin():
            applied.create(conn, checkfirst=True)
    except exc.DBAPIError:
        # Another console created it at the same moment; anything else shows on first use.
        conn.rollback()
