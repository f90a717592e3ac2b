# ruff: noqa: S608 - test SQL over fixed table names
"""Pull from real PostgreSQL and MariaDB databases (made and dropped per test): the reference
schema and a Magento 2 schema, full and incremental, checks and bad input."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from csconsole.sync.errors import SchemaMismatch, ShopAuthFailed, ShopOffline, SyncError
from csconsole.sync.runner import check_shop, connect_shop
from tests.db_servers import MARIADB_ADMIN, PG_ADMIN, url_with_database
from tests.sync.conftest import MakeConsole
from tests.sync.shop_databases import (
    copy_as_magento,
    copy_reference,
    execute,
    scalar,
)
from tests.sync.test_pull_sqlite import ids, one, q, shop_one, sync

SERVERS = ["postgresql", "mariadb"]


@pytest.fixture(params=SERVERS)
def server_url(request: pytest.FixtureRequest) -> str:
    """A scratch database on each server in turn."""
    fixture = "pg_url" if request.param == "postgresql" else "mariadb_url"
    return str(request.getfixturevalue(fixture))


def _count(url: str, table: str, where: str = "") -> int:
    return int(scalar(url, f"SELECT count(*) FROM {table} {where}"))


def test_reference_full_and_incremental(
    server_url: str, demo_shop: Path, make_console: MakeConsole
) -> None:
    copy_reference(demo_shop, server_url).dispose()
    console = make_console(server_url)
    report = sync(console)
    assert report.kind == "full" and report.status == "ok"
    for table, cache in [
        ("customers", "shop_customer"),
        ("orders", "shop_order"),
        ("order_items", "shop_order_item"),
        ("call_recordings", "shop_call_recording"),
    ]:
        assert one(console, f"SELECT count(*) FROM {cache}") == _count(server_url, table)
    email = scalar(server_url, "SELECT email FROM customers WHERE customer_id = 21")
    assert ids(console, email) == [21]
    # only the rows of the last overlap window (5 minutes) are handed to the next pull
    assert 1 <= one(console, "SELECT count(*) FROM sync_recent_row") < 30
    # same values as a load from the SQLite original (types converted alike)
    assert q(
        console,
        "SELECT created_at, updated_at, date_of_birth, is_active FROM shop_customer WHERE id = 2",
    ) == [
        tuple(
            shop_one(demo_shop, f"SELECT {c} FROM customers WHERE customer_id = 2")
            for c in ("created_at", "updated_at", "date_of_birth", "is_active")
        )
    ]
    # incremental: an update now, a row committed late (inside the overlap), a delete
    mark = scalar(server_url, "SELECT max(updated_at) FROM customers")
    execute(
        server_url,
        "UPDATE customers SET first_name = 'Ottilie', updated_at = :m WHERE customer_id = 3",
        {"m": mark},
    )
    execute(
        server_url,
        "INSERT INTO customers VALUES (100002, 'late@example.com', 'Lara', 'Late',"
        " 'en_US', NULL, :t, :t, 1, 0)",
        {"t": mark.replace(microsecond=0) - __import__("datetime").timedelta(seconds=90)},
    )
    execute(
        server_url,
        "DELETE FROM order_items WHERE order_id IN (SELECT order_id FROM orders"
        " WHERE customer_id = 8)"
        if "postgresql" in server_url
        else "DELETE oi FROM order_items oi JOIN orders o ON o.order_id = oi.order_id"
        " WHERE o.customer_id = 8",
    )
    for table in ("payments", "gift_recipients"):
        execute(
            server_url,
            f"DELETE FROM {table} WHERE order_id IN (SELECT order_id FROM orders"
            " WHERE customer_id = 8)",
        )
    for table in ("call_recordings", "subscription_events"):
        execute(server_url, f"UPDATE {table} SET customer_id = NULL WHERE customer_id = 8")
    execute(
        server_url,
        "UPDATE call_recordings SET order_id = NULL WHERE order_id IN"
        " (SELECT order_id FROM (SELECT order_id FROM orders WHERE customer_id = 8) x)",
    )
    execute(server_url, "DELETE FROM addresses WHERE customer_id = 8")
    execute(server_url, "DELETE FROM orders WHERE customer_id = 8")
    execute(server_url, "DELETE FROM customers WHERE customer_id = 8")
    report = sync(console)
    assert report.kind == "incremental"
    assert 3 in ids(console, "Ottilie")
    assert ids(console, "late@example.com") == [100002]
    assert one(console, "SELECT count(*) FROM shop_customer WHERE id = 8") == 0
    assert one(console, "SELECT count(*) FROM shop_customer") == _count(server_url, "customers")
    assert one(console, "SELECT count(*) FROM shop_order") == _count(server_url, "orders")
    assert q(console, "PRAGMA foreign_key_check") == []


def test_magento2_full_and_incremental(
    server_url: str, demo_shop: Path, make_console: MakeConsole
) -> None:
    copy_as_magento(demo_shop, server_url).dispose()
    console = make_console(server_url, "magento2")
    report = sync(console)
    assert report.status == "ok", report.message
    assert one(console, "SELECT count(*) FROM shop_customer") == _count(
        server_url, "customer_entity"
    )
    assert one(console, "SELECT count(*) FROM shop_address") == _count(
        server_url, "customer_address_entity"
    )
    # guest orders are left out; every other order is in
    assert one(console, "SELECT count(*) FROM shop_order") == _count(
        server_url, "sales_order", "WHERE customer_id IS NOT NULL"
    )
    assert one(console, "SELECT count(*) FROM shop_order_item") == _count(
        server_url, "sales_order_item"
    )
    assert one(console, "SELECT count(*) FROM shop_payment") == _count(
        server_url, "sales_order_payment"
    )
    assert one(console, "SELECT count(*) FROM shop_subscription_event") == _count(
        server_url, "newsletter_subscriber"
    )
    # street lines, the billing address, money in cents, status codes
    street = one(console, "SELECT street FROM shop_address WHERE id = 3")
    assert street.endswith("\nApt 3")
    billing = scalar(server_url, "SELECT default_billing FROM customer_entity WHERE entity_id = 2")
    assert one(console, "SELECT kind FROM shop_address WHERE id = ?", (billing,)) == "billing"
    assert one(console, "SELECT total_cents FROM shop_order WHERE id = 1") == shop_one(
        demo_shop, "SELECT total_cents FROM orders WHERE order_id = 1"
    )
    events = {r[0] for r in q(console, "SELECT DISTINCT event FROM shop_subscription_event")}
    assert events <= {"enrolled", "unsubscribed"} and events
    email = scalar(server_url, "SELECT email FROM customer_entity WHERE entity_id = 30")
    assert ids(console, email) == [30]
    number = scalar(server_url, "SELECT increment_id FROM sales_order WHERE entity_id = 1")
    assert len(ids(console, number)) == 1

    # incremental: an unsubscribe (status 3), a changed item (row hash), a deleted payment
    sub = scalar(
        server_url,
        "SELECT min(subscriber_id) FROM newsletter_subscriber WHERE subscriber_status = 1",
    )
    execute(
        server_url,
        "UPDATE newsletter_subscriber SET subscriber_status = 3,"
        " change_status_at = CURRENT_TIMESTAMP WHERE subscriber_id = :s",
        {"s": sub},
    )
    execute(server_url, "UPDATE sales_order_item SET qty_ordered = 7 WHERE item_id = 1")
    execute(server_url, "DELETE FROM sales_order_payment WHERE entity_id = 2")
    execute(
        server_url,
        "UPDATE customer_address_entity SET street = 'Hauptstr. 1\nHinterhaus',"
        " updated_at = CURRENT_TIMESTAMP WHERE entity_id = 1",
    )
    # The customer picks another billing address: only the customer row changes in the shop
    # (default_billing), yet both addresses change kind in the cache.
    owner = scalar(
        server_url,
        "SELECT min(parent_id) FROM (SELECT parent_id FROM customer_address_entity"
        " GROUP BY parent_id HAVING count(*) >= 2) x",
    )
    old_billing = scalar(
        server_url, "SELECT default_billing FROM customer_entity WHERE entity_id = :c", {"c": owner}
    )
    new_billing = scalar(
        server_url,
        "SELECT min(entity_id) FROM customer_address_entity WHERE parent_id = :c"
        " AND entity_id <> :b",
        {"c": owner, "b": old_billing},
    )
    execute(
        server_url,
        "UPDATE customer_entity SET default_billing = :b, updated_at = CURRENT_TIMESTAMP"
        " WHERE entity_id = :c",
        {"b": new_billing, "c": owner},
    )
    report = sync(console)
    assert report.kind == "incremental"
    kinds = dict(q(console, "SELECT id, kind FROM shop_address WHERE customer_id = ?", (owner,)))
    assert kinds[new_billing] == "billing" and kinds[old_billing] == "shipping"
    assert one(console, "SELECT event FROM shop_subscription_event WHERE id = ?", (sub,)) == (
        "unsubscribed"
    )
    assert one(console, "SELECT quantity FROM shop_order_item WHERE id = 1") == 7
    assert one(console, "SELECT count(*) FROM shop_payment WHERE id = 2") == 0
    assert one(console, "SELECT street FROM shop_address WHERE id = 1") == "Hauptstr. 1\nHinterhaus"
    assert report.pull.tables["order_items"].written == 1
    assert report.pull.tables["payments"].deleted == 1


def test_check_names_missing_and_mistyped_columns(
    server_url: str, demo_shop: Path, make_console: MakeConsole, secret_store: Any
) -> None:
    copy_as_magento(demo_shop, server_url).dispose()
    execute(server_url, "DROP TABLE newsletter_subscriber")
    execute(server_url, "ALTER TABLE customer_entity DROP COLUMN dob")
    execute(server_url, "ALTER TABLE sales_order_payment DROP COLUMN amount_ordered")
    execute(server_url, "ALTER TABLE sales_order_payment ADD amount_ordered VARCHAR(20)")
    console = make_console(server_url, "magento2")
    _, schema, source = check_shop(console.settings.shop_url, "magento2", secret_store)
    assert "missing table newsletter_subscriber (tables.subscription_events)" in schema.problems
    assert "missing column customer_entity.dob (tables.customers)" in schema.problems
    assert any(
        p.startswith("column sales_order_payment.amount_ordered is VARCHAR") and "an amount" in p
        for p in schema.problems
    ), schema.problems
    assert "***" not in source or ":***@" in source
    with pytest.raises(SchemaMismatch):
        sync(console)


def test_null_where_a_value_is_needed_is_skipped(
    server_url: str, demo_shop: Path, make_console: MakeConsole
) -> None:
    copy_as_magento(demo_shop, server_url).dispose()
    execute(server_url, "UPDATE customer_entity SET email = NULL WHERE entity_id = 12")
    console = make_console(server_url, "magento2")
    report = sync(console)
    assert report.pull.tables["customers"].skipped == 1
    row = q(
        console,
        "SELECT outcome, source_table, column_name, reason FROM sync_row_issue"
        " WHERE entity = 'customers' AND row_key = 12",
    )
    assert row == [("skipped", "customer_entity", "email", "no value, and the cache needs one")]
    # its addresses and orders cannot hang on a missing customer: skipped too, with the reason
    reasons = {
        r[0]
        for r in q(
            console, "SELECT reason FROM sync_row_issue WHERE entity IN ('addresses', 'orders')"
        )
    }
    assert reasons == {"customers 12 is not in the cache"}
    assert q(console, "PRAGMA foreign_key_check") == []
    # fixed in the shop: all of it arrives on the next pull
    execute(
        server_url,
        "UPDATE customer_entity SET email = 'fixed@example.com',"
        " updated_at = CURRENT_TIMESTAMP WHERE entity_id = 12",
    )
    sync(console)
    assert ids(console, "fixed@example.com") == [12]
    assert q(console, "SELECT entity, row_key, reason FROM sync_row_issue") == []
    assert one(console, "SELECT count(*) FROM shop_address") == _count(
        server_url, "customer_address_entity"
    )


def test_unreachable_server_is_offline_and_retried(secret_store: Any) -> None:
    waits: list[float] = []
    url = "postgresql+psycopg://csc:s3cret-pw@127.0.0.1:1/shop"
    with pytest.raises(ShopOffline) as info:
        connect_shop(url, secret_store, retries=2, sleep=waits.append)
    message = str(info.value)
    assert "postgresql+psycopg://csc:***@127.0.0.1:1/shop" in message
    assert "s3cret-pw" not in message
    assert "?." not in message and ".." not in message  # libpq's sentence ends with its own "?"
    assert "\n" not in message  # one line
    assert len(waits) == 2


def test_missing_database_is_named(postgres_server: None, secret_store: Any) -> None:
    url = url_with_database(PG_ADMIN, f"nope_{uuid.uuid4().hex[:8]}")
    with pytest.raises(SyncError, match="does not exist") as info:
        connect_shop(url, secret_store)
    assert not isinstance(info.value, ShopOffline)


def test_wrong_password_is_refused_clearly(
    mariadb_url: str, make_console: MakeConsole, secret_store: Any
) -> None:
    user = f"csc_{uuid.uuid4().hex[:8]}"
    admin = create_engine(MARIADB_ADMIN)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY 'right-horse'")
    try:
        bad = (
            make_url(mariadb_url)
            .set(username=user, password="wrong-horse")
            .render_as_string(hide_password=False)
        )
        console = make_console(bad)
        assert "wrong-horse" not in console.paths.settings_file.read_text(encoding="utf-8")
        with pytest.raises(ShopAuthFailed) as info:
            sync(console)
        assert "wrong-horse" not in str(info.value)
        assert f"{user}:***@" in str(info.value)
        assert one(console, "SELECT status FROM sync_run") == "failed"
        assert "wrong-horse" not in one(console, "SELECT message FROM sync_run")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP USER '{user}'@'%%'")
        admin.dispose()


def test_text_in_a_latin1_column_arrives_as_text(
    mariadb_url: str, demo_shop: Path, make_console: MakeConsole
) -> None:
    copy_as_magento(demo_shop, mariadb_url).dispose()
    execute(mariadb_url, "UPDATE customer_entity SET lastname = 'Plain'")
    execute(
        mariadb_url, "ALTER TABLE customer_entity MODIFY lastname VARCHAR(255) CHARACTER SET latin1"
    )
    execute(mariadb_url, "UPDATE customer_entity SET lastname = 'Ñúñez-Çelik' WHERE entity_id = 6")
    console = make_console(mariadb_url, "magento2")
    sync(console)
    assert one(console, "SELECT last_name FROM shop_customer WHERE id = 6") == "Ñúñez-Çelik"
    assert 6 in ids(console, "Nunez-Celik")
