"""Where an outbox item lands in the shop: the table, key column and columns of an entity.

``write_target`` is the one place that reads the shop mapping for writes. Entities and fields
use the console's names (the cache's shop model: ``customer.email``, ``address.postcode``);
the mapping turns them into the shop's own table and column names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Target:
    """An entity as a shop table. ``change_column`` is set to the write time when present, so
    incremental pulls see the console's own writes; ``insert_only`` entities (mailing-list
    histories) get a new row per item instead of an update."""

    table: str
    key_column: str
    columns: Mapping[str, str]
    change_column: str | None = None
    insert_only: bool = False
    constants: Mapping[str, object] = field(default_factory=dict)

    def column(self, name: str) -> str | None:
        return self.columns.get(name)


# The reference shop schema (demo/schema.sql).
REFERENCE: dict[str, Target] = {
    "customer": Target(
        table="customers",
        key_column="customer_id",
        columns={
            "email": "email",
            "first_name": "first_name",
            "last_name": "last_name",
            "locale": "locale",
            "date_of_birth": "date_of_birth",
            "is_active": "is_active",
            "flagged_misuse": "flagged_misuse",
        },
        change_column="updated_at",
    ),
    "address": Target(
        table="addresses",
        key_column="address_id",
        columns={
            "kind": "kind",
            "street": "street",
            "city": "city",
            "region": "region",
            "postcode": "postcode",
            "country": "country",
            "phone": "phone",
        },
        change_column="updated_at",
    ),
    "subscription": Target(
        table="subscription_events",
        key_column="event_id",
        columns={
            "customer_id": "customer_id",
            "channel": "channel",
            "event": "event",
            "source": "source",
            "address": "address",
            "occurred_at": "occurred_at",
        },
        change_column="updated_at",
        insert_only=True,
    ),
}


def write_target(mapping: object | None = None) -> Callable[[str], Target | None]:
    """The lookup of the shop table an entity is written to (None: the mapping has none).

    This is the one place that reads the shop mapping for writes: ``mapping`` is the
    ``sync.shop.mapping.ShopMapping`` in use; without one, the reference schema's names apply.
    """
    targets = getattr(mapping, "write_targets", None)
    found: dict[str, Target] = dict(targets()) if callable(targets) else dict(REFERENCE)
    return found.get
