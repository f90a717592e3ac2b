"""Typed SQLAlchemy models of the local cache. Import from here so Alembic sees them all."""

from . import audit_checkpoint, cases  # noqa: F401  (registers their tables with Base)
from .base import Base
from .ledger import AuditEvent, CacheMeta, Staff
from .outbox import OutboxEntry  # noqa: F401  (registers the outbox and ledger replica tables)
from .shop import (
    Address,
    CallRecording,
    Customer,
    GiftRecipient,
    Order,
    OrderItem,
    Payment,
    SubscriptionEvent,
)
from .sync_state import SyncTableState  # noqa: F401  (registers the sync tables)

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
