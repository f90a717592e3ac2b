"""The cache's shop model as the pull sees it: entities, their cache tables and columns.

This is plain data (no ORM): the pull turns shop rows into rows of these columns, and the cache
writer (``persistence.cache.store``) inserts them. ``tests/sync/test_cache_model.py`` checks it
against the ORM models in ``persistence.models.shop``, so the two cannot drift apart.

Lookup keys (``email_norm``, ``postcode_norm``, ``phone_rev``, ``order_number_norm``) are derived
here with the very functions the cache's SQL functions call (``persistence.sql_functions``), so a
synced row is found by exactly the same search as a row loaded by the demo loader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from csconsole.domain.lookup import phone_key
from csconsole.domain.text import fold, name_index_text, normalise_postcode

Kind = Literal["int", "text", "bool", "date", "datetime"]


@dataclass(frozen=True, slots=True)
class CacheColumn:
    name: str
    kind: Kind
    nullable: bool = False
    # Used when a mapping leaves the column out (None: the mapping must provide it).
    default: object = None


@dataclass(frozen=True, slots=True)
class Derived:
    """A lookup key computed from one mapped column. ``recipe`` names the same computation
    for plain ASCII text in the shop's SQL (``sync.shop.queries.derived_sql``): a full load from
    PostgreSQL reads the key with the row; anything else (or a NULL from the SQL) is derived
    here, by ``derive``, the reference."""

    name: str
    source: str
    derive: Callable[[Any], Any]
    nullable: bool
    recipe: str = ""


@dataclass(frozen=True, slots=True)
class ParentLink:
    """A reference to another entity. ``required``: the row is skipped when the parent is not
    in the cache; otherwise the reference is set to NULL (the cache's ON DELETE SET NULL)."""

    column: str
    entity: str
    required: bool


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    table: str
    columns: tuple[CacheColumn, ...]
    derived: tuple[Derived, ...] = ()
    parents: tuple[ParentLink, ...] = ()
    name_index: bool = False  # rows feed the customer name index (FTS5)

    def column(self, name: str) -> CacheColumn | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None


# Fast paths for printable ASCII, where the domain's Unicode folding reduces to lower case
# (NFKD and NFC change nothing, nothing combines, casefold is lower). Every other text goes
# through the domain functions themselves; tests/sync/test_cache_model.py checks both agree.
_NOT_DIGIT = re.compile(r"[^0-9]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_NON_WORD = re.compile(r"[^\w]+")


def _plain(value: str) -> bool:
    return value.isascii() and value.isprintable()


def _fold(value: str | None) -> str | None:
    if value and _plain(value):
        return value.lower()
    return fold(value) if value else value


def _postcode(value: str | None) -> str | None:
    if value and _plain(value):
        return _NOT_ALNUM.sub("", value).upper() or None
    return (normalise_postcode(value) or None) if value else None


def _phone(value: str | None) -> str | None:
    if value and _plain(value):
        digits = _NOT_DIGIT.sub("", value)
        return digits[::-1] if len(digits) >= 4 else None
    return phone_key(value)


def _order_number(value: str | None) -> str:
    # NOT NULL in the cache; a number with no letters or digits is simply not searchable.
    return _postcode(value) or ""


def name_text(first_name: str | None, last_name: str | None) -> str:
    """What the name index holds for one customer (``csc_name_index`` in SQL)."""
    first, last = first_name or "", last_name or ""
    if first.isascii() and last.isascii() and first.isalpha() and last.isalpha():
        return f"{first.lower()} {last.lower()}"  # two plain words: the common case
    text = f"{first} {last}"
    if _plain(text):
        return " ".join(t for t in _NON_WORD.split(text.lower()) if t and not t.startswith("_"))
    return name_index_text(first_name or "", last_name or "")


def _c(name: str, kind: Kind, nullable: bool = False, default: object = None) -> CacheColumn:
    return CacheColumn(name, kind, nullable, default)


UPDATED_AT = "updated_at"

# Parents before children: the order of a load. Deletes run in the reverse order.
ENTITIES: tuple[Entity, ...] = (
    Entity(
        "customers",
        "shop_customer",
        (
            _c("email", "text"),
            _c("first_name", "text"),
            _c("last_name", "text"),
            _c("locale", "text"),
            _c("date_of_birth", "date", nullable=True),
            _c("created_at", "datetime"),
            _c(UPDATED_AT, "datetime"),
            _c("is_active", "bool", default=1),
            _c("flagged_misuse", "bool", default=0),
        ),
        derived=(Derived("email_norm", "email", _fold, nullable=False, recipe="fold"),),
        name_index=True,
    ),
    Entity(
        "addresses",
        "shop_address",
        (
            _c("customer_id", "int"),
            _c("kind", "text"),
            _c("street", "text"),
            _c("city", "text"),
            _c("region", "text", nullable=True),
            _c("postcode", "text", nullable=True),
            _c("country", "text"),
            _c("phone", "text", nullable=True),
            _c(UPDATED_AT, "datetime"),
        ),
        derived=(
            Derived("postcode_norm", "postcode", _postcode, nullable=True, recipe="alnum_upper"),
            Derived("phone_rev", "phone", _phone, nullable=True, recipe="digits_reversed"),
        ),
        parents=(ParentLink("customer_id", "customers", required=True),),
    ),
    Entity(
        "orders",
        "shop_order",
        (
            _c("order_number", "text"),
            _c("customer_id", "int"),
            _c("placed_at", "datetime"),
            _c("status", "text"),
            _c("currency", "text"),
            _c("total_cents", "int"),
            _c(UPDATED_AT, "datetime"),
        ),
        derived=(
            Derived(
                "order_number_norm",
                "order_number",
                _order_number,
                nullable=False,
                recipe="alnum_upper",
            ),
        ),
        parents=(ParentLink("customer_id", "customers", required=True),),
    ),
    Entity(
        "order_items",
        "shop_order_item",
        (
            _c("order_id", "int"),
            _c("sku", "text"),
            _c("name", "text"),
            _c("quantity", "int"),
            _c("price_cents", "int"),
            _c(UPDATED_AT, "datetime"),
        ),
        parents=(ParentLink("order_id", "orders", required=True),),
    ),
    Entity(
        "payments",
        "shop_payment",
        (
            _c("order_id", "int"),
            _c("method", "text"),
            _c("card_brand", "text", nullable=True),
            _c("card_last4", "text", nullable=True),
            _c("amount_cents", "int"),
            _c(UPDATED_AT, "datetime"),
        ),
        parents=(ParentLink("order_id", "orders", required=True),),
    ),
    Entity(
        "subscription_events",
        "shop_subscription_event",
        (
            _c("customer_id", "int", nullable=True),
            _c("channel", "text"),
            _c("event", "text"),
            _c("source", "text"),
            _c("address", "text"),
            _c("occurred_at", "datetime"),
            _c(UPDATED_AT, "datetime"),
        ),
        parents=(ParentLink("customer_id", "customers", required=False),),
    ),
    Entity(
        "gift_recipients",
        "shop_gift_recipient",
        (
            _c("order_id", "int"),
            _c("name", "text"),
            _c("street", "text"),
            _c("city", "text"),
            _c("postcode", "text", nullable=True),
            _c("country", "text"),
            _c("message", "text", nullable=True),
            _c(UPDATED_AT, "datetime"),
        ),
        parents=(ParentLink("order_id", "orders", required=True),),
    ),
    Entity(
        "call_recordings",
        "shop_call_recording",
        (
            _c("customer_id", "int", nullable=True),
            _c("order_id", "int", nullable=True),
            _c("started_at", "datetime"),
            _c("duration_s", "int"),
            _c("direction", "text"),
            _c("agent", "text"),
            _c("storage_ref", "text"),
            _c(UPDATED_AT, "datetime"),
        ),
        parents=(
            ParentLink("customer_id", "customers", required=False),
            ParentLink("order_id", "orders", required=False),
        ),
    ),
)

BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}


def entity(name: str) -> Entity:
    return BY_NAME[name]
