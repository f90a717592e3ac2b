"""How the pull batches its work: the bulk conversion path agrees with the row-by-row one,
batches waiting together are applied in one transaction with the right watermark, and the
name index merges after the pull (not in it) while searches stay right."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from csconsole.app import Console
from csconsole.persistence.cache.store import SqliteCacheStore
from csconsole.sync.pull.cache_port import SKIPPED
from csconsole.sync.pull.common import Converted, convert_batch
from csconsole.sync.pull.incremental import _combine
from csconsole.sync.pull.row_convert import RowConverter
from csconsole.sync.runner import run_sync
from csconsole.sync.shop.mapping import load_mapping
from csconsole.sync.shop.queries import ShopQueries
from tests.sync.conftest import MakeConsole


def q(console: Console, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with console.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params).fetchall()]


def _converter(entity: str) -> tuple[RowConverter, list[str]]:
    rule = load_mapping("reference").table(entity)
    assert rule is not None
    queries = ShopQueries(rule)
    conv = RowConverter(rule, queries.refs, pulled_at="2026-11-22 00:00:00")
    return conv, [ref.column for ref in queries.refs]


def integrity_check(console: Console) -> None:
    """FTS5's own check of the name index (raises if the index is damaged)."""
    with console.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO customer_name_fts(customer_name_fts) VALUES ('integrity-check')"
        )


def _customer(columns: list[str], key: Any, **values: Any) -> tuple[Any, ...]:
    base = {
        "customer_id": key,
        "email": f"Ann.{key}@Example.COM",
        "first_name": "Ann",
        "last_name": "Østergård" if key == 3 else "Lee",
        "locale": "en_US",
        "date_of_birth": "1980-02-03",
        "created_at": "2020-01-01 10:00:00",
        "updated_at": "2024-01-01 10:00:00",
        "is_active": 1,
        "flagged_misuse": 0,
    }
    base.update(values)
    return tuple(base[c] for c in columns)


def _row_by_row(conv: RowConverter, raw: list[tuple[Any, ...]], **kwargs: Any) -> Converted:
    """convert_batch one row at a time: the slow path only (a batch of one clean row takes
    the bulk path too, so each row is compared on its own with what the bulk path gave)."""
    out = Converted(conv.rule.entity, len(raw))
    previous: list[int | None] = [None]
    for row in raw:
        part = convert_batch(conv, [row], previous_key=previous, **kwargs)
        out.rows += part.rows
        out.names += part.names
        out.issues += part.issues
        out.clean += part.clean
        out.digests.update(part.digests)
    return out


def test_bulk_conversion_equals_row_by_row() -> None:
    conv, columns = _converter("customers")
    raw = [_customer(columns, k) for k in range(1, 8)]
    bulk = convert_batch(conv, raw, names=True, digests=True, previous_key=[None])
    single = _row_by_row(conv, raw, names=True, digests=True)
    assert bulk.rows == single.rows and len(bulk.rows) == 7
    assert bulk.names == single.names
    assert (3, "ann østergard") in bulk.names  # accents folded the way the search folds them
    assert bulk.digests == single.digests
    assert bulk.clean == single.clean == list(range(1, 8))
    assert bulk.last == ("2024-01-01 10:00:00", 7)
    assert bulk.rows[0][conv.layout.index("email")] == "Ann.1@Example.COM"
    assert bulk.rows[0][conv.layout.index("email_norm")] == "ann.1@example.com"


def test_a_bad_row_or_a_repeated_key_falls_back_to_row_by_row() -> None:
    conv, columns = _converter("customers")
    raw = [
        _customer(columns, 1),
        _customer(columns, 2, email=None),  # the cache needs a value: skipped
        _customer(columns, 3, first_name="Bad\x00Name"),  # repaired
        _customer(columns, 4),
    ]
    out = convert_batch(conv, raw, names=True, previous_key=[None])
    assert [r[0] for r in out.rows] == [1, 3, 4]
    assert [(i.row_key, i.outcome) for i in out.issues] == [(2, SKIPPED), (3, "repaired")]
    assert out.clean == [1, 4]

    previous: list[int | None] = [None]
    twice = convert_batch(
        conv, [_customer(columns, 5), _customer(columns, 5)], previous_key=previous
    )
    assert [r[0] for r in twice.rows] == [5]
    assert [i.reason for i in twice.issues] == ["key read twice"]
    later = convert_batch(
        conv, [_customer(columns, 4), _customer(columns, 6)], previous_key=previous
    )
    assert [r[0] for r in later.rows] == [6] and previous == [6]


def test_waiting_batches_combine_with_the_last_watermark() -> None:
    a = Converted("customers", 3, rows=[(1, "a"), (2, "b")], clean=[1, 2], last=("t1", 2))
    a.seen = 1
    b = Converted("customers", 2, rows=[(2, "b2"), (4, "d")], clean=[2, 4], last=("t2", 4))
    c = Converted("customers", 1, rows=[(9, "n")], clean=[9], last=None)  # no change value
    one = _combine([a, b, c])
    assert one.rows == [(1, "a"), (2, "b2"), (4, "d"), (9, "n")]
    assert (one.read, one.seen, one.last) == (6, 1, ("t2", 4))
    assert one.clean == [1, 2, 2, 4, 9]
    assert _combine([a]) is a


def _shop_exec(shop: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    con = sqlite3.connect(shop)
    con.execute(sql, params)
    con.commit()
    con.close()


def _segments(console: Console) -> int:
    """Segments of the name index (FTS5 keeps segment ``s`` page ``p`` at rowid s << 37 | p;
    segment ids from 65536 up hold tombstones)."""
    return int(
        q(
            console,
            "SELECT count(DISTINCT id >> 37) FROM customer_name_fts_data"
            " WHERE id >> 37 BETWEEN 1 AND 65535",
        )[0][0]
    )


def _letters(key: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(key))


def _config(console: Console, key: str) -> Any:
    rows = q(console, "SELECT v FROM customer_name_fts_config WHERE k = ?", (key,))
    return rows[0][0] if rows else None


def test_name_changes_in_many_pulls_stay_searchable_and_the_index_merges_after(
    make_console: MakeConsole, demo_shop: Path, secret_store: Any
) -> None:
    console = make_console(f"sqlite:///{demo_shop}")
    assert console.sync.run(push=False).kind == "full"
    assert _config(console, "automerge") == 0  # set on the new index at the swap

    con = sqlite3.connect(demo_shop)
    mark = con.execute("SELECT max(updated_at) FROM customers").fetchone()[0]
    keys = [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1 LIMIT 12")]
    con.close()
    for n in range(6):
        # a small batch size: every pull commits several transactions (and FTS segments)
        for key in keys[n * 2 : n * 2 + 2]:
            _shop_exec(
                demo_shop,
                "UPDATE customers SET first_name = ?, last_name = ?, updated_at = ?"
                " WHERE customer_id = ?",
                (f"Zora{_letters(n)}", f"Quill{_letters(key)}", mark, key),
            )
        report = run_sync(
            shop_url=console.settings.shop_url,
            mapping_name="reference",
            secrets=secret_store,
            open_cache=lambda: SqliteCacheStore(console.engine, clock=console.clock),
            batch_rows=1,
        )
        assert report.kind == "incremental" and report.pull is not None
        assert report.pull.tables["customers"].written == 2
        console.search.forget_vocabulary()
        for key in keys[n * 2 : n * 2 + 2]:
            found = console.search.search(f"Zora{_letters(n)} Quill{_letters(key)}")
            assert [h.customer_id for h in found] == [key]
    # the old names are gone from the index, the new ones are there once each
    for key in keys:
        hits = q(
            console,
            "SELECT rowid FROM customer_name_fts WHERE customer_name_fts MATCH ?",
            (f"quill{_letters(key)}",),
        )
        assert hits == [(key,)]
    integrity_check(console)
    assert _config(console, "automerge") == 0
    # the merges after each pull keep the segments few (without them: one or more per pull)
    assert _segments(console) < 6


def test_merge_names_is_bounded_and_keeps_the_index_whole(
    make_console: MakeConsole, demo_shop: Path
) -> None:
    console = make_console(f"sqlite:///{demo_shop}")
    console.sync.run(push=False)
    store = SqliteCacheStore(console.engine, clock=console.clock)
    try:
        store.name_index.merge_later()
        for n in range(8):  # eight one-row transactions: eight new segments
            with store.connection.transaction():
                store.connection.execute(
                    "INSERT OR REPLACE INTO customer_name_fts(rowid, name) VALUES (?, ?)",
                    (1, f"merge{n} probe"),
                )
        before = _segments(console)
        assert store.merge_names(budget_s=0.0) == 0  # no time: no work
        assert store.merge_names() >= 1
        assert _segments(console) < before
    finally:
        store.close()
    assert q(
        console, "SELECT rowid FROM customer_name_fts WHERE customer_name_fts MATCH 'merge7'"
    ) == [(1,)]
    assert (
        q(console, "SELECT rowid FROM customer_name_fts WHERE customer_name_fts MATCH 'merge3'")
        == []
    )
    integrity_check(console)


def test_the_incremental_snapshot_reads_without_parallel_workers(pg_url: str) -> None:
    from sqlalchemy import create_engine

    from csconsole.sync.pull.common import snapshot

    engine = create_engine(pg_url)
    try:
        with engine.connect() as raw:
            conn = snapshot(raw, serial=True)
            assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"
        with engine.connect() as raw:
            conn = snapshot(raw)
            assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() != "0"
    finally:
        engine.dispose()


# Text on both sides of every recipe's line: plain ASCII, accents, Turkish dotted and dotless
# i, control characters, other scripts' digits, full-width letters, punctuation only, empty; and
# the long s and the Kelvin sign, which a case-insensitive match takes for s and k.
_NAMES = [
    ("Ann", "Lee"),
    ("Zoë", "Ångström"),
    ("Mary-Jane", "O'Neil"),
    ("ISAAC", "İNCE"),
    ("Işıl", "Ilgaz"),
    ("", "Solo"),
    ("Jean Paul", "Smith"),
    ("Ａｎｎ", "Ｌｅｅ"),
    ("A1", "B_2"),
    ("Tab\there", "Name"),
    ("\u017fam", "Long"),
    ("\u212aate", "Kelvin"),
]
_EMAILS = [
    "Ann.Lee@Example.COM",
    "İpek.Işık@örnek.com.tr",
    "tab\there@example.com",
    "",
    "  Spaced@Example.com ",
    "ÅSA@EXAMPLE.SE",
    "Straße@example.de",
    "x@y",
    "Ｆｕｌｌ@example.jp",
    "KELVIN\u212a@example.com",
    "\u017fam@example.com",
    "Plain.Again@Example.org",
]
_POSTCODES = [
    "SW1A 1AA",
    "12345-6789",
    "---",
    "",
    None,
    "ÅB 12",
    "k1a\t0b1",
    "ｋ１ａ",
    "75 008",
    "i",
    "\u017fw1",
]
_PHONES = [
    "+1 (907) 555-0142",
    "123",
    "",
    None,
    "+44 20 7946 0958",
    "٠١٢٣٤٥٦",
    "１２３４５",
    "1-2-3",
    "ext. 4455",
    "+90 (212) 555 01 02\n",
    "555 0199",
]
_ORDERS = ["DN100000001", "dn-42", "#", "", "ÖR-12", "ab cd", "ｄｎ９", "İ-7", "x\ty", "Q"]


def test_lookup_keys_from_postgresql_equal_the_python_ones(pg_url: str) -> None:
    """The full load reads plain ASCII lookup keys and name index text computed by PostgreSQL
    (``derive_in_sql``); the cache rows and names must be exactly what Python derives."""
    from sqlalchemy import create_engine

    from csconsole.demo import schema_path
    from csconsole.sync.pull.common import PullContext
    from csconsole.sync.shop.queries import stream
    from csconsole.sync.shop.schema import inspect_shop
    from tests.sync.shop_databases import run_script

    engine = create_engine(pg_url)
    try:
        run_script(engine, Path(schema_path()).read_text(encoding="utf-8"))
        stamp = "2026-11-22 08:00:00"
        with engine.begin() as conn:
            for i, ((first, last), email) in enumerate(zip(_NAMES, _EMAILS, strict=True), 1):
                conn.exec_driver_sql(
                    "INSERT INTO customers VALUES (%s, %s, %s, %s, 'en_US', NULL, %s, %s, 1, 0)",
                    (i, email, first, last, stamp, stamp),
                )
            for i, (postcode, phone) in enumerate(zip(_POSTCODES, _PHONES, strict=True), 1):
                conn.exec_driver_sql(
                    "INSERT INTO addresses VALUES (%s, %s, 'billing', '1 Main St', 'Town', NULL,"
                    " %s, 'US', %s, %s)",
                    (i, i, postcode, phone, stamp),
                )
            for i, number in enumerate(_ORDERS, 1):
                conn.exec_driver_sql(
                    "INSERT INTO orders VALUES (%s, %s, %s, %s, 'new', 'USD', 100, %s)",
                    (i, number, i, stamp, stamp),
                )
        mapping = load_mapping("reference")
        with engine.connect() as conn:
            schema = inspect_shop(conn, mapping)
            ctx = PullContext(engine, engine.url, mapping, schema, cache=None)  # type: ignore[arg-type]
            for entity in ("customers", "addresses", "orders"):
                rule = mapping.table(entity)
                assert rule is not None
                results = []
                for in_sql in (False, True):
                    queries = ctx.queries(rule, derive_in_sql=in_sql)
                    assert bool(queries.extra) == in_sql, entity  # the SQL path is really used
                    conv = ctx.converter(rule, queries)
                    raw = [r for batch in stream(conn, queries.all_rows(), {}, 100) for r in batch]
                    conn.rollback()
                    assert len(raw) == {"customers": 12, "addresses": 11, "orders": 10}[entity]
                    results.append(
                        convert_batch(conv, raw, names=True, digests=True, previous_key=[None])
                    )
                    one_by_one = _row_by_row(conv, raw, names=True, digests=True)
                    assert results[-1].rows == one_by_one.rows, entity
                    assert results[-1].names == one_by_one.names, entity
                python, server = results
                assert server.rows == python.rows, entity
                assert server.names == python.names, entity
                assert server.digests == python.digests, entity  # over the mapped columns only
                assert server.issues == python.issues, entity
    finally:
        engine.dispose()
