"""Typed SQLAlchemy models of the local cache. Import from here so Alembic sees them all."""

from csconsole.persistence.models import audit_checkpoint, cases  # noqa: F401  (registers their tables with Base)
from csconsole.persistence.models.base import Base
from csconsole.persistence.models.ledger import AuditEvent, CacheMeta, Staff
from csconsole.persistence.models.outbox import OutboxEntry  # noqa: F401  (registers the outbox and ledger replica tables)
from csconsole.persistence.models.search_probing import SearchStop  # noqa: F401  (registers the tripwire's tables)
from csconsole.persistence.models.shop import (
    Address,
    CallRecording,
    Customer,
    GiftRecipient,
    Order,
    OrderItem,
    Payment,
    SubscriptionEvent,
)
from csconsole.persistence.models.sync_state import SyncTableState  # noqa: F401  (registers the sync tables)

__all__ = [
    "Address",
    "AuditEvent",
    "Base",
    "CacheMeta",
    "CallRecording",
    "Customer",
    "GiftRecipient",
    "Order",
    "OrderItem",
    "Payment",
    "Staff",
    "SubscriptionEvent",
]
