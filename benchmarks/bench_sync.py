"""Sync from PostgreSQL: full load and incremental pull, each beside a baseline of this run.

- Full load of N customers (1.5 addresses, 2 orders each) into the encrypted cache, ready to
  search (``console.sync.run(full=True)``: mapping, conversion, derived keys, shadow tables, b-tree
  indexes, the name index, the swap). Baseline: psycopg ``cursor.stream`` (a reader thread)
  into plain, unencrypted SQLite ``executemany`` of the same rows (their lookup keys computed by
  PostgreSQL in the query), plus the same indexes and the same name index. Target: at most
  1.5x the baseline.
- Incremental pull of 10,000 changed customers into that N cache, twice: new last name and
  email (every changed row touches the email index and the name index), then new last name
  only. ``console.sync.run()`` end to end, with the key-total delete check of every table, up to
  the commit that makes the changes visible; the housekeeping that ends the run (the name
  index's segment merges, bounded, and the write-ahead-log checkpoint copying the new pages
  into the cache file: after the changes are visible, on the sync thread) is its own row.
  Baseline: the PostgreSQL side alone (streaming the changed rows). Target: at most 1 s.
- The longest stall of a Qt event loop while the window's background sync (``ui.sync_status``)
  runs a full load. Baseline: the same loop, idle. Target: at most 50 ms.

The shop database (``csbench_sync_<N>``) is kept between runs (``--rebuild`` makes it again).
The push of 1,000 outbox items into PostgreSQL is ``bench_push`` (``run.py push``
measures it on all three databases).
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend

FULL_RATIO = 1.5
INCREMENTAL_S = 1.0
STALL_MS = 50.0
BATCH = 5000

_BASELINE_TABLES = {
    "shop_customer": (
        "id INTEGER PRIMARY KEY, email TEXT, email_norm TEXT, first_name TEXT, last_name TEXT,"
        " locale TEXT, date_of_birth TEXT, created_at TEXT, updated_at TEXT, is_active INTEGER,"
        " flagged_misuse INTEGER",
        "SELECT customer_id, email, lower(email), first_name, last_name, locale,"
        " date_of_birth::text, created_at::text, updated_at::text, is_active, flagged_misuse,"
        " lower(first_name || ' ' || last_name) FROM customers ORDER BY customer_id",
    ),
    "shop_address": (
        "id INTEGER PRIMARY KEY, customer_id INTEGER, kind TEXT, street TEXT, city TEXT,"
        " region TEXT, postcode TEXT, postcode_norm TEXT, country TEXT, phone TEXT,"
        " phone_rev TEXT, updated_at TEXT",
        "SELECT address_id, customer_id, kind, street, city, region, postcode,"
        " upper(regexp_replace(postcode, '[^0-9A-Za-z]', '', 'g')), country, phone,"
        " reverse(regexp_replace(phone, '[^0-9]', '', 'g')), updated_at::text"
        " FROM addresses ORDER BY address_id",
    ),
    "shop_order": (
        "id INTEGER PRIMARY KEY, order_number TEXT, order_number_norm TEXT, customer_id INTEGER,"
        " placed_at TEXT, status TEXT, currency TEXT, total_cents INTEGER, updated_at TEXT",
        "SELECT order_id, order_number, upper(order_number), customer_id, placed_at::text,"
        " status, currency, total_cents, updated_at::text FROM orders ORDER BY order_id",
    ),
}
_BASELINE_INDEXES = [
    "CREATE INDEX ix_shop_customer_email_norm ON shop_customer (email_norm)",
    "CREATE INDEX ix_shop_address_customer_id ON shop_address (customer_id)",
    "CREATE INDEX ix_shop_address_postcode_norm ON shop_address (postcode_norm)",
    "CREATE INDEX ix_shop_address_phone_rev ON shop_address (phone_rev)",
    "CREATE INDEX ix_shop_order_customer_id ON shop_order (customer_id)",
    "CREATE INDEX ix_shop_order_order_number_norm ON shop_order (order_number_norm)",
]
_FTS = (
    "CREATE VIRTUAL TABLE customer_name_fts USING fts5(name, content='', contentless_delete=1,"
    " tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
)


def baseline_full(database: str, path: Path) -> float:
    """psycopg cursor.stream -> reader thread -> plain SQLite executemany, then indexes."""
    import psycopg
    import sqlcipher3

    from bench_sync_data import dsn

    for extra in ("", "-journal", "-wal"):
        Path(str(path) + extra).unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlcipher3.dbapi2.connect(str(path), isolation_level=None)  # no key: plain SQLite
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("BEGIN")
    for table, (columns, _) in _BASELINE_TABLES.items():
        db.execute(f"CREATE TABLE {table} ({columns})")
    db.execute(_FTS)
    pg = psycopg.connect(dsn(database))
    for table, (columns, select) in _BASELINE_TABLES.items():
        width = columns.count(",") + 1
        insert = f"INSERT INTO {table} VALUES ({','.join('?' * width)})"
        names = table == "shop_customer"
        feed: queue.Queue[Any] = queue.Queue(6)

        def read(select: str = select, feed: queue.Queue[Any] = feed) -> None:
            rows: list[Any] = []
            for row in pg.cursor().stream(select, size=2000):
                rows.append(row)
                if len(rows) >= BATCH:
                    feed.put(rows)
                    rows = []
            feed.put(rows)
            feed.put(None)

        reader = threading.Thread(target=read)
        reader.start()
        while (rows := feed.get()) is not None:
            if names:
                db.executemany(insert, [r[:-1] for r in rows])
                db.executemany(
                    "INSERT INTO customer_name_fts(rowid, name) VALUES (?, ?)",
                    [(r[0], r[-1]) for r in rows],
                )
            else:
                db.executemany(insert, rows)
        reader.join()
    pg.close()
    for ddl in _BASELINE_INDEXES:
        db.execute(ddl)
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - started


def baseline_changes(database: str, since: Any) -> float:
    """The PostgreSQL side of an incremental pull: stream the rows changed since ``since``."""
    import psycopg

    from bench_sync_data import dsn

    started = time.perf_counter()
    with psycopg.connect(dsn(database)) as pg:
        rows = list(
            pg.cursor().stream(
                "SELECT * FROM customers WHERE updated_at >= %s ORDER BY updated_at, customer_id",
                (since,),
                size=2000,
            )
        )
    assert rows
    return time.perf_counter() - started


def _row(
    name: str, value: float, unit: str, baseline: float, target: str, ok: bool, base_name: str
) -> dict[str, object]:
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
        "ok": ok,
        "baseline_name": base_name,
    }


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


def _console(home: Path, url: str) -> Any:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths, save_settings
    from csconsole.app import Console
    from csconsole.services.settings import Settings

    os.environ["CSCONSOLE_HOME"] = str(home)
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    paths = Paths.from_environment()
    save_settings(paths, Settings(shop_url=url, shop_mapping="reference"))
    return Console.open(paths, KeyringSecretStore(backend), create=True)


def ui_stall(console: Any, log: Any) -> tuple[float, float]:
    """(longest event-loop gap during a background full sync, longest gap while idle), ms."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from csconsole.ui.sync_status import SyncController, SyncStatusWidget

    app = QApplication.instance() or QApplication([])
    clock = QElapsedTimer()

    # The stage the sync thread last reported, so the log can say where the longest gaps were.
    stages: list[tuple[float, str]] = [(0.0, "start")]
    worst: list[tuple[float, str]] = []

    def measure(seconds: float | None, until: Any = None) -> float:
        gaps = [0.0]
        last = [0]
        clock.start()
        timer = QTimer()
        timer.setInterval(5)

        def tick() -> None:
            now = clock.elapsed()
            gap = now - last[0] - 5
            if gap > gaps[0]:
                gaps[0] = gap
            if gap > 15:
                worst.append((gap, stages[-1][1]))
            last[0] = now

        timer.timeout.connect(tick)
        timer.start()
        deadline = time.monotonic() + (seconds or 3600)
        while time.monotonic() < deadline and not (until and until()):
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        return gaps[0]

    idle = measure(2.0)

    def sync(progress: Any, cancelled: Any) -> Any:
        def noted(stage: str, done: int, total: int) -> None:
            if stage != stages[-1][1]:
                stages.append((time.monotonic(), stage))
            progress(stage, done, total)

        return console.sync.run(full=True, push=False, progress=noted, cancelled=cancelled)

    controller = SyncController(sync)
    widget = SyncStatusWidget(controller)
    widget.show()
    done = [False]
    controller.finished.connect(lambda *_: done.__setitem__(0, True))
    controller.failed.connect(lambda *_: done.__setitem__(0, True))
    controller.start()
    busy = measure(None, until=lambda: done[0])
    controller.shutdown()
    widget.close()
    log(f"  event loop: longest stall {busy:.1f} ms during the sync, {idle:.1f} ms idle")
    for gap, stage in sorted(worst, reverse=True)[:5]:
        log(f"    gap {gap:.0f} ms while the sync was at: {stage}")
    return busy, idle


def run(argv: list[str], *, quiet: bool = False) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="run.py sync")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="build the shop database again")
    parser.add_argument("--no-ui", action="store_true", help="skip the event-loop stall row")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_sync_data import build, change_customers, existing_size, sqlalchemy_url

    n = args.customers
    label = f"{n // 1000}k" if n < 1_000_000 else f"{n / 1_000_000:g}M"
    database = f"csbench_sync_{n}"
    if args.rebuild or existing_size(database) != n:
        log(f"[{label}] building the PostgreSQL shop {database} ...")
        log(f"[{label}] built in {build(database, n, log):.0f} s")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="csbench-sync-") as tmp:
        home = Path(tmp)
        log(f"[{label}] baseline: cursor.stream -> plain SQLite + indexes ...")
        base = baseline_full(database, home / "baseline.sqlite")
        (home / "baseline.sqlite").unlink()
        log(f"[{label}] baseline {base:.1f} s; the console's full sync ...")
        console = _console(home, sqlalchemy_url(database))
        started = time.perf_counter()
        report = console.sync.run(full=True, push=False)
        full = time.perf_counter() - started
        loaded = report.pull.total("written")
        log(f"[{label}] full sync {full:.1f} s ({loaded:,} rows, {loaded / full:,.0f} rows/s)")
        with console.engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT count(*) FROM shop_customer").scalar()
        assert count == n, count
        assert console.search.search("changed.") is not None
        rows.append(
            _row(
                f"full sync {label} customers (PostgreSQL -> encrypted cache, searchable)",
                full,
                "s",
                base,
                f"<= {FULL_RATIO:g} x baseline",
                full <= FULL_RATIO * base,
                "cursor.stream -> plain sqlite executemany + same indexes",
            )
        )
        for emails, what in ((True, "new last name and email"), (False, "new last name")):
            changed, stamp = change_customers(database, args.changed, args.seed, emails=emails)
            pg_side = baseline_changes(database, stamp)
            started = time.perf_counter()
            report = console.sync.run(push=False)
            total = time.perf_counter() - started
            assert report.kind == "incremental"
            pull = total - report.checkpoint_s
            written = report.pull.tables["customers"].written
            log(
                f"[{label}] incremental ({what}): {len(changed):,} changed, {written:,} written"
                f" in {pull:.3f} s, then housekeeping {report.checkpoint_s:.3f} s"
                f" (PostgreSQL side {pg_side:.3f} s)"
            )
            with console.engine.connect() as conn:
                name = conn.exec_driver_sql(
                    "SELECT last_name FROM shop_customer WHERE id = ?", (changed[0],)
                ).scalar()
            assert str(name).endswith("son"), name
            rows.append(
                _row(
                    f"incremental pull of {len(changed):,} changed customers ({what})"
                    f" into the {label} cache",
                    pull,
                    "s",
                    pg_side,
                    f"<= {INCREMENTAL_S:g} s",
                    pull <= INCREMENTAL_S,
                    "PostgreSQL side: streaming the changed rows",
                )
            )
            rows.append(
                _row(
                    f"  then housekeeping: name index merges, WAL checkpoint ({what})",
                    report.checkpoint_s,
                    "s",
                    pull,
                    "(reported, no target)",
                    True,
                    "the pull before it",
                )
            )
        if not args.no_ui:
            busy, idle = ui_stall(console, log)
            rows.append(
                _row(
                    f"longest UI event-loop stall during a background full sync @{label}",
                    busy,
                    "ms",
                    idle,
                    f"<= {STALL_MS:g} ms",
                    busy <= STALL_MS,
                    "the same event loop, idle",
                )
            )
        console.close()
    import bench_push  # the push of 1,000 outbox items beside its raw baseline

    rows += bench_push.run(["--backend", "postgresql"], quiet=quiet)
    return rows
