# ruff: noqa: S608 - test SQL over fixed table names
"""Shops in real databases for the sync tests: load a schema, and copy a reference shop into a
database (as is, or turned into Magento 2 tables). The databases themselves come from
tests/db_servers.py (``pg_url``, ``mariadb_url``)."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, text

from csconsole.demo import schema_path

MAGENTO_SCHEMA = Path(__file__).with_name("magento2_schema.sql")

REFERENCE_TABLES = [
    "customers",
    "addresses",
    "orders",
    "order_items",
    "payments",
    "subscription_events",
    "gift_recipients",
    "call_recordings",
]


def run_script(engine: Engine, script: str) -> None:
    """A ``;``-separated DDL script, statement by statement (comments removed)."""
    body = re.sub(r"--[^\n]*", "", script)
    with engine.begin() as conn:
        for statement in body.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)


def _source_rows(shop: Path, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    con = sqlite3.connect(shop)
    try:
        cur = con.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()
    finally:
        con.close()


def copy_reference(shop: Path, url: str) -> Engine:
    """The reference schema and the rows of a reference SQLite shop, into ``url``."""
    engine = create_engine(url)
    run_script(engine, schema_path().read_text(encoding="utf-8"))
    meta = MetaData()
    meta.reflect(engine, only=REFERENCE_TABLES)
    with engine.begin() as conn:
        for table in REFERENCE_TABLES:
            cols, rows = _source_rows(shop, table)
            if rows:
                conn.execute(
                    meta.tables[table].insert(), [dict(zip(cols, r, strict=True)) for r in rows]
                )
    return engine


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def copy_as_magento(shop: Path, url: str, *, guest_orders: int = 3) -> Engine:
    """The reference shop's data as Magento 2 tables (``magento2_schema.sql``).

    Street lines are joined with newlines (every third address gets a second line); the
    billing address is the customer's ``default_billing``; the latest email event per address
    becomes the subscriber row (status 1 or 3); a few extra guest orders (no customer).
    """
    engine = create_engine(url)
    run_script(engine, MAGENTO_SCHEMA.read_text(encoding="utf-8"))
    meta = MetaData()
    meta.reflect(engine)
    _, customers = _source_rows(shop, "customers")
    _, addresses = _source_rows(shop, "addresses")
    _, orders = _source_rows(shop, "orders")
    _, items = _source_rows(shop, "order_items")
    _, payments = _source_rows(shop, "payments")
    _, events = _source_rows(shop, "subscription_events")
    billing: dict[int, int] = {}
    shipping: dict[int, int] = {}
    for a in addresses:
        target = billing if a[2] == "billing" else shipping
        target.setdefault(a[1], a[0])
    names = {c[0]: (c[2], c[3], c[1]) for c in customers}
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(
            t["customer_entity"].insert(),
            [
                {
                    "entity_id": c[0],
                    "website_id": 1,
                    "email": c[1],
                    "firstname": c[2],
                    "lastname": c[3],
                    "dob": c[5],
                    "gender": 0,
                    "created_at": c[6],
                    "updated_at": c[7],
                    "is_active": c[8],
                    "default_billing": billing.get(c[0]),
                    "default_shipping": shipping.get(c[0]),
                }
                for c in customers
            ],
        )
        conn.execute(
            t["customer_address_entity"].insert(),
            [
                {
                    "entity_id": a[0],
                    "parent_id": a[1],
                    "street": a[3] + (f"\nApt {a[0]}" if a[0] % 3 == 0 else ""),
                    "city": a[4],
                    "region": a[5],
                    "postcode": a[6],
                    "country_id": a[7],
                    "telephone": a[8] or "",
                    "firstname": names[a[1]][0],
                    "lastname": names[a[1]][1],
                    "created_at": a[9],
                    "updated_at": a[9],
                }
                for a in addresses
            ],
        )
        order_rows = [
            {
                "entity_id": o[0],
                "increment_id": o[1],
                "customer_id": o[2],
                "customer_email": names[o[2]][2],
                "customer_firstname": names[o[2]][0],
                "customer_lastname": names[o[2]][1],
                "grand_total": _money(o[6]),
                "status": o[4],
                "state": o[4],
                "created_at": o[3],
                "updated_at": o[7],
            }
            for o in orders
        ]
        top = max((o[0] for o in orders), default=0)
        for n in range(1, guest_orders + 1):
            order_rows.append(
                {
                    "entity_id": top + n,
                    "increment_id": f"G{top + n}",
                    "customer_id": None,
                    "customer_email": f"guest{n}@example.com",
                    "customer_firstname": None,
                    "customer_lastname": None,
                    "grand_total": Decimal("10.00"),
                    "status": "complete",
                    "state": "complete",
                    "created_at": "2026-01-01 10:00:00",
                    "updated_at": "2026-01-01 10:00:00",
                }
            )
        conn.execute(t["sales_order"].insert(), order_rows)
        if items:
            conn.execute(
                t["sales_order_item"].insert(),
                [
                    {
                        "item_id": i[0],
                        "order_id": i[1],
                        "sku": i[2],
                        "name": i[3],
                        "qty_ordered": Decimal(i[4]),
                        "price": _money(i[5]),
                        "row_total": _money(i[5] * i[4]),
                    }
                    for i in items
                ],
            )
        if payments:
            conn.execute(
                t["sales_order_payment"].insert(),
                [
                    {
                        "entity_id": p[0],
                        "parent_id": p[1],
                        "method": p[2],
                        "cc_last_4": p[4],
                        "cc_type": p[3],
                        "amount_ordered": _money(p[5]),
                    }
                    for p in payments
                ],
            )
        latest: dict[str, tuple[Any, ...]] = {}
        for e in sorted(events, key=lambda e: (e[6], e[0])):
            if e[2] == "email":
                latest[e[5]] = e
        subscribers = [
            {
                "subscriber_id": e[0],
                "customer_id": e[1] or 0,
                "subscriber_email": e[5],
                "subscriber_status": 1 if e[3] == "enrolled" else 3,
                "change_status_at": e[6],
            }
            for e in latest.values()
        ]
        if subscribers:
            conn.execute(t["newsletter_subscriber"].insert(), subscribers)
    return engine


def execute(url: str, sql: str, params: dict[str, Any] | None = None) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params or {})
    finally:
        engine.dispose()


def scalar(url: str, sql: str, params: dict[str, Any] | None = None) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params or {}).scalar()
    finally:
        engine.dispose()
