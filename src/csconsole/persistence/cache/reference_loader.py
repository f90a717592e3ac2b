"""Full load of a reference-schema SQLite shop into the cache: copy, then index.

Secondary indexes and the name index are dropped before the copy and built afterwards: loading
into indexed tables is several times slower (see REFERENCES.md, "Load first, index afterwards").
"""

from __future__ import annotations

import time
from datetime import UTC
from pathlib import Path

from sqlalchemy import Engine

from csconsole.persistence.cache import sql_functions
from csconsole.persistence.models import Base
from csconsole.services.ports import Clock, ProgressReport

# (cache table, SELECT over the attached shop producing the cache columns in order)
_COPIES: list[tuple[str, str]] = [
    (
        "shop_customer",
        "SELECT customer_id, email, csc_fold(email), first_name, last_name, locale,"
        " date_of_birth, created_at, updated_at, is_active, flagged_misuse"
        " FROM shop.customers ORDER BY customer_id",
    ),
    (
        "shop_address",
        "SELECT address_id, customer_id, kind, street, city, region, postcode,"
        " csc_postcode(postcode), country, phone, csc_phone_key(phone), updated_at"
        " FROM shop.addresses ORDER BY address_id",
    ),
    (
        "shop_order",
        "SELECT order_id, order_number, csc_postcode(order_number), customer_id, placed_at,"
        " status, currency, total_cents, updated_at FROM shop.orders ORDER BY order_id",
    ),
    (
        "shop_order_item",
        "SELECT item_id, order_id, sku, name, quantity, price_cents, updated_at"
        " FROM shop.order_items ORDER BY item_id",
    ),
    (
        "shop_payment",
        "SELECT payment_id, order_id, method, card_brand, card_last4, amount_cents, updated_at"
        " FROM shop.payments ORDER BY payment_id",
    ),
    (
        "shop_subscription_event",
        "SELECT event_id, customer_id, channel, event, source, address, occurred_at, updated_at"
        " FROM shop.subscription_events ORDER BY event_id",
    ),
    (
        "shop_gift_recipient",
        "SELECT recipient_id, order_id, name, street, city, postcode, country, message,"
        " updated_at FROM shop.gift_recipients ORDER BY recipient_id",
    ),
    (
        "shop_call_recording",
        "SELECT recording_id, customer_id, order_id, started_at, duration_s, direction, agent,"
        " storage_ref, updated_at FROM shop.call_recordings ORDER BY recording_id",
    ),
]


def _shop_indexes() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every secondary index on the shop tables."""
    from sqlalchemy.schema import CreateIndex

    out = []
    for table in Base.metadata.sorted_tables:
        if not table.name.startswith("shop_"):
            continue
        for index in table.indexes:
            out.append((str(index.name), str(CreateIndex(index).compile())))
    return out


def load_reference_sqlite(
    engine: Engine, shop_path: Path, progress: ProgressReport | None = None, *, clock: Clock
) -> dict[str, int]:
    """Replace the cache's shop data with the contents of ``shop_path`` in one transaction;
    ``clock`` says when it was loaded.

    Either the whole load commits or the cache keeps what it had (a killed load rolls back).
    """
    report = progress or (lambda stage, done, total: None)
    counts: dict[str, int] = {}
    steps = len(_COPIES) + 2
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        assert dbapi is not None
        sql_functions.register(dbapi)
        saved_isolation = dbapi.isolation_level
        dbapi.isolation_level = None  # manual BEGIN/COMMIT: one transaction for the whole load
        cur = dbapi.cursor()
        cur.execute("ATTACH DATABASE ? AS shop KEY ''", (str(shop_path),))
        try:
            cur.execute("BEGIN IMMEDIATE")
            for name, _ in _shop_indexes():
                cur.execute(f'DROP INDEX IF EXISTS "{name}"')
            cur.execute("DELETE FROM customer_name_fts")
            for table, _ in reversed(_COPIES):
                cur.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
            for step, (table, select) in enumerate(_COPIES):
                report(f"copying {table.removeprefix('shop_')}", step, steps)
                cur.execute(f"INSERT INTO {table} {select}")
                counts[table] = cur.rowcount
            report("building indexes", len(_COPIES), steps)
            for _, ddl in _shop_indexes():
                cur.execute(ddl)
            report("building the name index", len(_COPIES) + 1, steps)
            cur.execute(
                "INSERT INTO customer_name_fts(rowid, name)"
                " SELECT id, csc_name_index(first_name, last_name) FROM shop_customer ORDER BY id"
            )
            cur.execute(
                "INSERT OR REPLACE INTO cache_meta(key, value) VALUES ('shop_loaded_at', ?),"
                " ('shop_source', ?)",
                (clock.now().astimezone(UTC).isoformat(timespec="seconds"), "reference-sqlite"),
            )
            cur.execute("COMMIT")
        except BaseException:
            if dbapi.in_transaction:
                cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("DETACH DATABASE shop")
        started = time.perf_counter()
        cur.execute("PRAGMA optimize")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts["_optimize_ms"] = int((time.perf_counter() - started) * 1000)
        report("done", steps, steps)
        dbapi.isolation_level = saved_isolation
    finally:
        raw.close()
    return counts
