"""The shop's data as the cache holds it: the mapped shop model plus lookup keys.

Lookup keys (``email_norm``, ``phone_rev``, ``postcode_norm``, ``order_number_norm``) are derived
at load time so every search is a b-tree range or an FTS5 query, never a scan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


class Customer(Base):
    __tablename__ = "shop_customer"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    email: Mapped[str] = mapped_column(String(254))
    email_norm: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(16))
    date_of_birth: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    is_active: Mapped[bool] = mapped_column(default=True)
    flagged_misuse: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index(None, "email_norm"),)


class Address(Base):
    __tablename__ = "shop_address"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("shop_customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    street: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    postcode_norm: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_rev: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index(None, "customer_id"),
        Index(None, "postcode_norm"),
        Index(None, "phone_rev"),
    )


class Order(Base):
    __tablename__ = "shop_order"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    order_number: Mapped[str] = mapped_column(String(32))
    order_number_norm: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("shop_customer.id", ondelete="CASCADE"))
    placed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "customer_id"), Index(None, "order_number_norm"))


class OrderItem(Base):
    __tablename__ = "shop_order_item"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    price_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "order_id"),)


class Payment(Base):
    """Card data is the brand and last four digits only (PCI DSS 3.4.1)."""

    __tablename__ = "shop_payment"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(32))
    card_brand: Mapped[str | None] = mapped_column(String(32))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "order_id"),)


class SubscriptionEvent(Base):
    __tablename__ = "shop_subscription_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_customer.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(400))
    occurred_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "customer_id"),)


class GiftRecipient(Base):
    __tablename__ = "shop_gift_recipient"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    message: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "order_id"),)


class CallRecording(Base):
    __tablename__ = "shop_call_recording"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_customer.id", ondelete="SET NULL")
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    duration_s: Mapped[int]
    direction: Mapped[str] = mapped_column(String(8))
    agent: Mapped[str] = mapped_column(String(100))
    storage_ref: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime]

    __table_args__ = (Index(None, "customer_id"),)
