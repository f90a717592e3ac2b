"""One customer's raw data from the cache: the facts verification compares answers with, and the
full record an unmasked view is cut from (implements ``services.case_ports.CustomerRecords``)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from csconsole.domain.unmasking import (
    AddressDetails,
    CustomerDetails,
    OrderDetails,
    OrderLine,
    SubscriptionDetails,
)
from csconsole.domain.verification_answers import FactsOnFile, OrderFacts, StoredPhone
from csconsole.persistence.models import (
    Address,
    Customer,
    Order,
    OrderItem,
    Payment,
    SubscriptionEvent,
)

# Verification looks at the most recent orders only: what a caller can be expected to remember.
FACT_ORDERS = 10
# The unmasked view lists at most this many orders (newest first).
DETAIL_ORDERS = 200


class SqlCustomerRecords:
    def __init__(self, session: Session) -> None:
        self._s = session

    def exists(self, customer_id: int) -> bool:
        return self._s.get(Customer, customer_id) is not None

    def _orders(self, customer_id: int, limit: int) -> list[Order]:
        return list(
            self._s.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc(), Order.id.desc())
                .limit(limit)
            )
        )

    def _lines(self, order_ids: list[int]) -> dict[int, list[OrderItem]]:
        out: dict[int, list[OrderItem]] = defaultdict(list)
        if order_ids:
            for item in self._s.scalars(
                select(OrderItem).where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.id)
            ):
                out[item.order_id].append(item)
        return out

    def _payments(self, order_ids: list[int]) -> dict[int, list[Payment]]:
        out: dict[int, list[Payment]] = defaultdict(list)
        if order_ids:
            for payment in self._s.scalars(
                select(Payment).where(Payment.order_id.in_(order_ids)).order_by(Payment.id)
            ):
                out[payment.order_id].append(payment)
        return out

    def _addresses(self, customer_id: int) -> list[Address]:
        return list(
            self._s.scalars(
                select(Address)
                .where(Address.customer_id == customer_id)
                .order_by(Address.kind != "billing", Address.id)
            )
        )

    def facts_on_file(self, customer_id: int) -> FactsOnFile | None:
        customer = self._s.get(Customer, customer_id)
        if customer is None:
            return None
        addresses = self._addresses(customer_id)
        orders = self._orders(customer_id, FACT_ORDERS)
        ids = [o.id for o in orders]
        lines, payments = self._lines(ids), self._payments(ids)
        return FactsOnFile(
            customer_id=customer_id,
            email=customer.email or None,
            phones=tuple(StoredPhone(a.phone, a.country) for a in addresses if a.phone),
            billing_postcodes=tuple(
                a.postcode for a in addresses if a.kind == "billing" and a.postcode
            ),
            orders=tuple(
                OrderFacts(
                    number=o.order_number,
                    placed_on=o.placed_at.date(),
                    total_cents=o.total_cents,
                    card_last4=tuple(
                        p.card_last4 for p in payments[o.id] if p.card_last4 and p.method == "card"
                    ),
                    items=tuple(i.name for i in lines[o.id]),
                )
                for o in orders
            ),
        )

    def details(self, customer_id: int) -> CustomerDetails | None:
        customer = self._s.get(Customer, customer_id)
        if customer is None:
            return None
        orders = self._orders(customer_id, DETAIL_ORDERS)
        ids = [o.id for o in orders]
        lines, payments = self._lines(ids), self._payments(ids)
        subscriptions = self._s.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.customer_id == customer_id)
            .order_by(SubscriptionEvent.occurred_at, SubscriptionEvent.id)
        )
        order_details = []
        for o in orders:
            pay = payments[o.id][0] if payments[o.id] else None
            order_details.append(
                OrderDetails(
                    number=o.order_number,
                    placed_at=o.placed_at,
                    status=o.status,
                    currency=o.currency,
                    total_cents=o.total_cents,
                    payment_method=pay.method if pay else "",
                    card_brand=pay.card_brand if pay else None,
                    card_last4=pay.card_last4 if pay else None,
                    lines=tuple(
                        OrderLine(i.sku, i.name, i.quantity, i.price_cents) for i in lines[o.id]
                    ),
                )
            )
        return CustomerDetails(
            customer_id=customer.id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            locale=customer.locale,
            date_of_birth=customer.date_of_birth,
            created_at=customer.created_at,
            flagged_misuse=customer.flagged_misuse,
            addresses=tuple(
                AddressDetails(a.kind, a.street, a.city, a.region, a.postcode, a.country, a.phone)
                for a in self._addresses(customer_id)
            ),
            orders=tuple(order_details),
            subscriptions=tuple(
                SubscriptionDetails(e.channel, e.event, e.source, e.occurred_at)
                for e in subscriptions
            ),
        )
