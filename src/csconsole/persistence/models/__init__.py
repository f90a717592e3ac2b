"""Typed SQLAlchemy models of the local cache. Import from here so Alembic sees them all."""

from .base import Base
from .ledger import AuditEvent, CacheMeta, Staff
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
