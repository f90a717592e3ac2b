# ruff: noqa: S608 - test SQL over fixed table names
"""Pull from a SQLite reference shop: full load, incremental changes, deletes, watermarks,
row hashes, bad rows, and a load that stops half-way."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from csconsole.app import Console
from csconsole.sync.errors import SchemaMismatch, ShopOffline, SyncCancelled, SyncError
from csconsole.sync.runner import run_sync
from csconsole.sync.shop.mapping import mapping_path
from tests.sync.conftest import MakeConsole


def q(console: Console, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with console.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params).fetchall()]


def one(console: Console, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return q(console, sql, params)[0][0]


def shop_exec(shop: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    con = sqlite3.connect(shop)
    con.execute(sql, params)
    con.commit()
    con.close()


def shop_row(shop: Path, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    con = sqlite3.connect(shop)
    try:
        return tuple(con.execute(sql, params).fetchone())
    finally:
        con.close()


def shop_one(shop: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    return shop_row(shop, sql, params)[0]


def ids(console: Console, text: str) -> list[int]:
    return [h.customer_id for h in console.search.search(text)]


def sync(console: Console, **kwargs: Any) -> Any:
    return console.sync.run(push=False, **kwargs)


@pytest.fixture
def synced(make_console: MakeConsole, demo_shop: Path) -> Console:
    console = make_console(f"sqlite:///{demo_shop}")
    report = sync(console)
    assert report.status == "ok" and report.kind == "full"
    return console


TABLES = [
    ("customers", "shop_customer"),
    ("addresses", "shop_address"),
    ("orders", "shop_order"),
    ("order_items", "shop_order_item"),
    ("payments", "shop_payment"),
    ("subscription_events", "shop_subscription_event"),
    ("gift_recipients", "shop_gift_recipient"),
    ("call_recordings", "shop_call_recording"),
]


def test_full_load_copies_every_table_and_is_searchable(synced: Console, demo_shop: Path) -> None:
    for shop_table, cache_table in TABLES:
        assert one(synced, f"SELECT count(*) FROM {cache_table}") == shop_one(
            demo_shop, f"SELECT count(*) FROM {shop_table}"
        ), cache_table
    cid, number = shop_row(
        demo_shop,
        "SELECT o.customer_id, o.order_number FROM orders o JOIN addresses a"
        " ON a.customer_id = o.customer_id WHERE a.phone IS NOT NULL"
        " ORDER BY o.order_id LIMIT 1",
    )
    first, last, email = shop_row(
        demo_shop,
        "SELECT first_name, last_name, email FROM customers WHERE customer_id = ?",
        (cid,),
    )
    assert cid in ids(synced, f"{first} {last}")
    assert ids(synced, email.upper())[0] == cid
    assert ids(synced, number.lower()) == [cid]
    phone = shop_one(
        demo_shop, "SELECT phone FROM addresses WHERE customer_id = ? AND phone IS NOT NULL", (cid,)
    )
    assert cid in ids(synced, phone)
    # the bookkeeping: one logged run, watermarks per table, no shadow tables left
    runs = q(synced, "SELECT kind, status, rows_read FROM sync_run")
    assert runs == [
        ("full", "ok", sum(shop_one(demo_shop, f"SELECT count(*) FROM {t}") for t, _ in TABLES))
    ]
    states = dict(q(synced, "SELECT entity, watermark FROM sync_table_state"))
    assert states["customers"] == "str:" + shop_one(
        demo_shop, "SELECT max(updated_at) FROM customers"
    )
    assert (
        q(
            synced,
            "SELECT name FROM sqlite_master WHERE name LIKE '%\\_\\_new' ESCAPE '\\'"
            " OR name LIKE '%\\_\\_old' ESCAPE '\\'",
        )
        == []
    )
    from csconsole.persistence.cache import migrate

    migrate.check(synced.engine)  # the swapped tables are exactly the migrated ones


def test_incremental_update_insert_delete(synced: Console, demo_shop: Path) -> None:
    mark = shop_one(demo_shop, "SELECT max(updated_at) FROM customers")
    shop_exec(
        demo_shop,
        "UPDATE customers SET last_name = 'Quenneville', updated_at = ? WHERE customer_id = 5",
        (mark,),
    )
    shop_exec(
        demo_shop,
        "INSERT INTO customers VALUES (100001, 'zed.new@example.com', 'Zebulon', 'Newcomer',"
        " 'en_US', NULL, ?, ?, 1, 0)",
        (mark, mark),
    )
    shop_exec(
        demo_shop,
        "INSERT INTO addresses VALUES (900001, 100001, 'billing', '1 New St', 'Newtown', NULL,"
        " '99501', 'US', '+1 907 555 0142', ?)",
        (mark,),
    )
    victim = 9
    orders_of_victim = shop_one(
        demo_shop, "SELECT count(*) FROM orders WHERE customer_id = ?", (victim,)
    )
    shop_exec(demo_shop, "PRAGMA foreign_keys = ON")
    con = sqlite3.connect(demo_shop)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM customers WHERE customer_id = ?", (victim,))
    con.commit()
    con.close()
    before_orders = one(synced, "SELECT count(*) FROM shop_order")

    report = sync(synced)
    assert report.kind == "incremental", report.full_reason
    counts = report.pull.tables
    assert counts["customers"].written == 2
    assert counts["customers"].deleted == 1
    assert 5 in ids(synced, "Quenneville")
    assert ids(synced, "zed.new@example.com") == [100001]
    assert ids(synced, "907 555 0142") == [100001]
    assert ids(synced, "Zebulon Newcomer") == [100001]
    assert one(synced, "SELECT count(*) FROM shop_customer WHERE id = ?", (victim,)) == 0
    assert one(synced, "SELECT count(*) FROM shop_order WHERE customer_id = ?", (victim,)) == 0
    assert one(synced, "SELECT count(*) FROM shop_order") == before_orders - orders_of_victim
    # the kept totals equal the table's (they are what finds the next delete)
    for entity, table in (("customers", "shop_customer"), ("orders", "shop_order")):
        kept = q(
            synced, "SELECT row_count, key_sum FROM sync_table_state WHERE entity = ?", (entity,)
        )
        real = q(synced, f"SELECT count(*), coalesce(sum(id), 0) FROM {table}")
        assert kept == real, entity
    old_name = shop_one(demo_shop, "SELECT last_name FROM customers WHERE customer_id = 5")
    assert old_name == "Quenneville"
    assert q(
        synced, "SELECT count(*) FROM customer_name_fts WHERE customer_name_fts MATCH 'quenneville'"
    ) == [(1,)]
    # nothing changed: nothing written
    again = sync(synced)
    assert again.pull.total("written") == 0 and again.pull.total("deleted") == 0


def test_late_committed_row_inside_the_overlap_is_pulled(synced: Console, demo_shop: Path) -> None:
    mark = shop_one(demo_shop, "SELECT max(updated_at) FROM customers")
    from datetime import datetime, timedelta

    earlier = (datetime.fromisoformat(mark) - timedelta(seconds=120)).isoformat(" ")
    # committed after the last pull, but stamped when its transaction began: before the mark
    shop_exec(
        demo_shop,
        "INSERT INTO customers VALUES (100002, 'late@example.com', 'Latisha', 'Latecomer',"
        " 'en_US', NULL, ?, ?, 1, 0)",
        (earlier, earlier),
    )
    report = sync(synced)
    assert report.pull.tables["customers"].written == 1
    assert ids(synced, "late@example.com") == [100002]


def test_row_older_than_the_overlap_is_found_by_the_key_totals(
    synced: Console, demo_shop: Path
) -> None:
    shop_exec(
        demo_shop,
        "INSERT INTO customers VALUES (100003, 'old@example.com', 'Olga', 'Oldstamp', 'en_US',"
        " NULL, '2001-01-01 00:00:00', '2001-01-01 00:00:00', 1, 0)",
    )
    sync(synced)
    assert ids(synced, "old@example.com") == [100003]


def test_equal_change_values_across_batches_use_the_key_tie_break(
    synced: Console, demo_shop: Path, secret_store: Any
) -> None:
    stamp = "2030-01-01 00:00:00"
    shop_exec(
        demo_shop,
        "UPDATE customers SET locale = 'xx_XX', updated_at = ? WHERE customer_id <= 10",
        (stamp,),
    )
    from csconsole.persistence.cache.store import SqliteCacheStore

    report = run_sync(
        shop_url=synced.settings.shop_url,
        mapping_name="reference",
        secrets=secret_store,
        open_cache=lambda: SqliteCacheStore(synced.engine, clock=synced.clock),
        batch_rows=3,
    )
    assert report.pull.tables["customers"].written == 10
    assert one(synced, "SELECT count(*) FROM shop_customer WHERE locale = 'xx_XX'") == 10
    assert q(
        synced, "SELECT watermark, watermark_key FROM sync_table_state WHERE entity = 'customers'"
    ) == [(f"str:{stamp}", 10)]


def _row_hash_mapping(tmp_path: Path) -> str:
    text = mapping_path("reference").read_text(encoding="utf-8")
    head, _, tail = text.partition("[tables.payments]")
    body, _, rest = tail.partition("[tables.payments.columns]")
    body = body.replace('change = { column = "updated_at" }', "change = { row_hash = true }")
    columns, _, after = rest.partition("\n\n")
    columns = columns.replace('updated_at = "updated_at"\n', "").replace(
        'updated_at = "updated_at"', ""
    )
    path = tmp_path / "reference-rowhash.toml"
    path.write_text(
        head + "[tables.payments]" + body + "[tables.payments.columns]" + columns + "\n\n" + after,
        "utf-8",
    )
    return str(path)


def test_row_hash_table_finds_changes_inserts_and_deletes(
    make_console: MakeConsole, demo_shop: Path, tmp_path: Path
) -> None:
    console = make_console(f"sqlite:///{demo_shop}", _row_hash_mapping(tmp_path))
    sync(console)
    assert one(console, "SELECT count(*) FROM sync_row_hash WHERE entity = 'payments'") == shop_one(
        demo_shop, "SELECT count(*) FROM payments"
    )
    first, second = q(console, "SELECT id, order_id FROM shop_payment ORDER BY id LIMIT 2")
    shop_exec(
        demo_shop, "UPDATE payments SET amount_cents = 4242 WHERE payment_id = ?", (first[0],)
    )
    shop_exec(demo_shop, "DELETE FROM payments WHERE payment_id = ?", (second[0],))
    shop_exec(
        demo_shop,
        "INSERT INTO payments VALUES (777777, ?, 'card', 'visa', '9876', 100, '2020-01-01')",
        (first[1],),
    )
    report = sync(console)
    payments = report.pull.tables["payments"]
    assert (payments.written, payments.deleted) == (2, 1)
    assert one(console, "SELECT amount_cents FROM shop_payment WHERE id = ?", (first[0],)) == 4242
    assert one(console, "SELECT count(*) FROM shop_payment WHERE id = ?", (second[0],)) == 0
    assert one(console, "SELECT card_last4 FROM shop_payment WHERE id = 777777") == "9876"
    assert one(console, "SELECT count(*) FROM sync_row_hash WHERE row_key = ?", (second[0],)) == 0
    assert sync(console).pull.tables["payments"].written == 0


def test_bad_rows_are_skipped_or_repaired_with_a_recorded_reason(
    make_console: MakeConsole, demo_shop: Path
) -> None:
    # text where a number belongs; a name in Latin-1 bytes; an address of no customer
    shop_exec(demo_shop, "UPDATE orders SET total_cents = 'lots' WHERE order_id = 3")
    shop_exec(
        demo_shop,
        "UPDATE customers SET last_name = CAST(x'4dfc6c6c6572' AS TEXT) WHERE customer_id = 4",
    )
    shop_exec(
        demo_shop,
        "INSERT INTO addresses VALUES (900002, 424242, 'billing', '1 Lost Rd', 'Nowhere', NULL,"
        " '00000', 'US', NULL, '2020-01-01 00:00:00')",
    )
    console = make_console(f"sqlite:///{demo_shop}")
    report = sync(console)
    assert report.status == "ok"
    assert (
        f"  sqlite:///{demo_shop}: orders row 3: column total_cents: expected a whole number,"
        " got text (skipped)" in report.notes
    )
    assert not any("lots" in note or "Müller" in note for note in report.notes)
    issues = {
        (entity, key): (outcome, column, reason)
        for entity, key, outcome, column, reason in q(
            console, "SELECT entity, row_key, outcome, column_name, reason FROM sync_row_issue"
        )
    }
    assert issues[("orders", 3)][:2] == ("skipped", "total_cents")
    assert "whole number" in issues[("orders", 3)][2] and "lots" not in issues[("orders", 3)][2]
    assert issues[("customers", 4)][:2] == ("repaired", "last_name")
    assert "not UTF-8" in issues[("customers", 4)][2]
    assert issues[("addresses", 900002)][0] == "skipped"
    assert "customers 424242 is not in the cache" in issues[("addresses", 900002)][2]
    assert one(console, "SELECT count(*) FROM shop_order WHERE id = 3") == 0
    assert one(console, "SELECT last_name FROM shop_customer WHERE id = 4") == "Müller"
    assert 4 in ids(console, "Muller")
    # the cache is consistent: no reference to a missing row
    assert q(console, "PRAGMA foreign_key_check") == []
    # the shop fixes the order: the next incremental pull takes it and clears the issue
    shop_exec(demo_shop, "UPDATE orders SET total_cents = 500 WHERE order_id = 3")
    sync(console)
    assert one(console, "SELECT total_cents FROM shop_order WHERE id = 3") == 500
    assert one(console, "SELECT count(*) FROM sync_row_issue WHERE entity = 'orders'") == 0


def test_an_orphan_is_taken_once_its_parent_arrives(synced: Console, demo_shop: Path) -> None:
    stamp = "2031-01-01 00:00:00"
    shop_exec(
        demo_shop,
        "INSERT INTO addresses VALUES (900003, 100010, 'billing', '2 Early St', 'Soon', NULL,"
        " '12345', 'US', NULL, ?)",
        (stamp,),
    )
    sync(synced)
    assert one(synced, "SELECT outcome FROM sync_row_issue WHERE row_key = 900003") == "skipped"
    shop_exec(
        demo_shop,
        "INSERT INTO customers VALUES (100010, 'parent@example.com', 'Pat', 'Parent', 'en_US',"
        " NULL, '2000-01-01 00:00:00', '2000-01-01 00:00:00', 1, 0)",
    )
    sync(synced)  # the customer comes through the key totals, the address through the retry
    assert one(synced, "SELECT customer_id FROM shop_address WHERE id = 900003") == 100010
    assert one(synced, "SELECT count(*) FROM sync_row_issue") == 0


def test_a_failed_or_cancelled_full_load_keeps_the_previous_cache(
    synced: Console, demo_shop: Path
) -> None:
    before = q(synced, "SELECT count(*), max(email) FROM shop_customer")
    target = ids(synced, "Quenneville")
    shop_exec(demo_shop, "UPDATE customers SET last_name = 'Quenneville'")
    stages: list[str] = []

    def stop_at_indexes(stage: str, done: int, total: int) -> None:
        stages.append(stage)
        if stage == "building indexes" and done == 3:
            raise RuntimeError("disk on fire")

    with pytest.raises(SyncError, match="RuntimeError"):
        sync(synced, full=True, progress=stop_at_indexes)
    assert q(synced, "SELECT count(*), max(email) FROM shop_customer") == before
    assert ids(synced, "Quenneville") == target
    # the indexes the load had dropped are back after the next start (recover)
    seen = []
    with pytest.raises(SyncCancelled):
        sync(
            synced,
            full=True,
            progress=lambda s, d, t: seen.append(s),
            cancelled=lambda: len(seen) > 2,
        )
    assert q(synced, "SELECT count(*), max(email) FROM shop_customer") == before
    names = {r[0] for r in q(synced, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_shop_customer_email_norm", "ix_shop_address_phone_rev"} <= names
    assert q(synced, "SELECT status FROM sync_run ORDER BY id")[-2:] == [
        ("failed",),
        ("cancelled",),
    ]
    sync(synced, full=True)
    assert len(ids(synced, "Quenneville")) > len(target)


def test_missing_table_and_column_stop_the_sync(make_console: MakeConsole, tmp_path: Path) -> None:
    shop = tmp_path / "partial.sqlite"
    con = sqlite3.connect(shop)
    from csconsole.demo import schema_path

    con.executescript(schema_path().read_text(encoding="utf-8"))
    con.execute("DROP TABLE gift_recipients")
    con.execute("ALTER TABLE addresses DROP COLUMN region")
    con.commit()
    con.close()
    console = make_console(f"sqlite:///{shop}")
    with pytest.raises(SchemaMismatch) as info:
        sync(console)
    assert "missing table gift_recipients" in str(info.value)
    assert "missing column addresses.region" in str(info.value)
    assert one(console, "SELECT status FROM sync_run") == "failed"


def test_missing_shop_file_is_offline(make_console: MakeConsole, tmp_path: Path) -> None:
    console = make_console(f"sqlite:///{tmp_path / 'gone.sqlite'}")
    with pytest.raises(ShopOffline, match="does not exist"):
        sync(console)
    assert one(console, "SELECT status FROM sync_run") == "offline"


def test_mapping_change_forces_a_full_load(
    synced: Console, demo_shop: Path, tmp_path: Path, paths: Any
) -> None:
    from csconsole.adapters.settings_file import save_settings

    save_settings(paths, synced.settings.with_changes(shop_mapping=_row_hash_mapping(tmp_path)))
    again = Console.open(paths, synced.secrets)
    try:
        report = again.sync.run(push=False)
        assert report.kind == "full"
        assert report.full_reason == "the mapping changed since the last full load"
    finally:
        again.close()


def test_a_row_changed_twice_within_one_change_value_is_pulled_twice(
    synced: Console, demo_shop: Path
) -> None:
    stamp = "2032-01-01 00:00:00"  # a change column of one-second resolution
    shop_exec(
        demo_shop,
        "UPDATE customers SET last_name = 'Firstchange', updated_at = ? WHERE customer_id = 5",
        (stamp,),
    )
    sync(synced)
    assert ids(synced, "Firstchange") == [5]
    shop_exec(
        demo_shop,
        "UPDATE customers SET last_name = 'Secondchange', updated_at = ? WHERE customer_id = 5",
        (stamp,),
    )
    report = sync(synced)
    assert report.pull.tables["customers"].written == 1
    assert ids(synced, "Secondchange") == [5]
    assert ids(synced, "Firstchange") == []
    # read again inside the overlap window, unchanged: passed over by digest, not rewritten
    again = sync(synced)
    assert again.pull.tables["customers"].written == 0
    assert again.pull.tables["customers"].unchanged >= 1
    assert one(synced, "SELECT count(*) FROM sync_recent_row WHERE row_key = 5") == 1


def test_the_full_load_hands_its_overlap_window_to_the_first_pull(
    synced: Console, demo_shop: Path
) -> None:
    newest = shop_one(
        demo_shop, "SELECT customer_id FROM customers ORDER BY updated_at DESC LIMIT 1"
    )
    recent = {
        r[0] for r in q(synced, "SELECT row_key FROM sync_recent_row WHERE entity = 'customers'")
    }
    assert newest in recent
    report = sync(synced)  # reads the window again, and passes over it by digest
    customers = report.pull.tables["customers"]
    assert customers.read >= 1 and customers.unchanged == customers.read
    assert customers.written == 0
