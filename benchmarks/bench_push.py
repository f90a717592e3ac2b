"""Push of 1,000 outbox items into the shop, against the raw cost of the same writes.

For each shop database (PostgreSQL and MariaDB on this machine, and a SQLite file), a fresh
database with the reference schema and 2,000 customers; a demo cache in a temporary
CSCONSOLE_HOME. Each round queues 1,000 items (700 name corrections, 200 address corrections,
100 opt-outs) and times:

- the push: ``ShopPusher.push`` end to end: read the pending items from the encrypted cache,
  look up their idempotency keys, lock and compare the rows, write, record the keys, commit,
  settle the items in the cache with their audit event;
- the baseline: the same 700 + 200 UPDATEs and 100 INSERTs as raw ``executemany`` calls on
  the driver in one transaction (no reads, no checks, no bookkeeping).

Median of 5 rounds. Target: push ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0
ITEMS = 1000
CUSTOMERS = 2000
ROUNDS = 5
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/mysql"


class _MemoryKeyring(KeyringBackend):
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


def run(argv: list[str], *, quiet: bool = False) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="run.py push")
    parser.add_argument(
        "--backend",
        action="append",
        choices=["postgresql", "mariadb", "sqlite"],
        help="shop databases to measure (default: all three)",
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="csbench-push-") as tmp:
        console = _console(Path(tmp), log)
        try:
            for backend in args.backend or ["postgresql", "mariadb", "sqlite"]:
                with _shop_database(backend, Path(tmp)) as url:
                    rows.append(_measure(console, backend, url, args.rounds, log))
        finally:
            console.close()
    return rows


def _console(home: Path, log: Any) -> Any:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths
    from csconsole.app.demo import build_demo

    os.environ["CSCONSOLE_HOME"] = str(home / "home")
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    log("building a small demo cache ...")
    console, _, _ = build_demo(
        customers=500, seed=1, paths=Paths.from_environment(), secrets=KeyringSecretStore(backend)
    )
    return console


class _shop_database:
    """A fresh database with the reference schema and CUSTOMERS customers; dropped after."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.name = f"csbench_push_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.tmp = tmp

    def __enter__(self) -> str:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        if self.backend == "sqlite":
            url = f"sqlite:///{self.tmp / (self.name + '.sqlite')}"
        else:
            admin_url = PG_ADMIN if self.backend == "postgresql" else MARIADB_ADMIN
            self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            quote = '"' if self.backend == "postgresql" else "`"
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {quote}{self.name}{quote}")
            url = make_url(admin_url).set(database=self.name).render_as_string(False)
            if self.backend == "mariadb":
                url += "?charset=utf8mb4"
        self.quote = '"' if self.backend == "postgresql" else "`"
        _load_shop(url)
        return url

    def __exit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            return
        with self.admin.connect() as conn:
            if self.backend == "postgresql":
                conn.exec_driver_sql("SET statement_timeout = '15s'")
            try:
                conn.exec_driver_sql(f"DROP DATABASE {self.quote}{self.name}{self.quote}")
            except Exception as error:
                print(f"could not drop {self.name}: {type(error).__name__}", file=sys.stderr)
        self.admin.dispose()


def _load_shop(url: str) -> None:
    from sqlalchemy import create_engine, text

    from csconsole.demo import schema_path

    engine = create_engine(url)
    lines = schema_path().read_text(encoding="utf-8").splitlines()
    ddl = "\n".join(line.split("--")[0] for line in lines)
    ts = "2025-03-01 10:00:00"
    people = [{"id": n, "ts": ts, "first": f"First{n}"} for n in range(1, CUSTOMERS + 1)]
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
        conn.execute(
            text(
                "INSERT INTO customers VALUES (:id, 'p' || :id || '@example.com', :first,"
                " 'Last', 'en_US', NULL, :ts, :ts, 1, 0)"
                if not url.startswith("mysql")
                else "INSERT INTO customers VALUES (:id, CONCAT('p', :id, '@example.com'),"
                " :first, 'Last', 'en_US', NULL, :ts, :ts, 1, 0)"
            ),
            people,
        )
        conn.execute(
            text(
                "INSERT INTO addresses VALUES (:id, :id, 'billing', '1 Main St', 'Springfield',"
                " NULL, '10001', 'US', NULL, :ts)"
            ),
            people,
        )
    engine.dispose()


def _items(tag: str, round_no: int, names: dict[int, str], streets: dict[int, str]) -> list[Any]:
    from csconsole.services.ports import OutboxItem

    items = []
    for n in range(1, 701):
        new = f"R{round_no}N{n}"
        items.append(
            OutboxItem(
                "correction",
                "customer",
                str(n),
                {"first_name": new},
                {"first_name": names[n]},
                f"bench:{tag}:{round_no}:c{n}",
            )
        )
        names[n] = new
    for n in range(1, 201):
        new = f"{round_no} Bench Road {n}"
        items.append(
            OutboxItem(
                "correction",
                "address",
                str(n),
                {"street": new},
                {"street": streets[n]},
                f"bench:{tag}:{round_no}:a{n}",
            )
        )
        streets[n] = new
    for n in range(1, 101):
        items.append(
            OutboxItem(
                "opt_out",
                "subscription",
                "0",
                {
                    "customer_id": None,
                    "channel": "email",
                    "event": "unsubscribed",
                    "source": "customer_request",
                    "address": f"r{round_no}g{n}@example.com",
                    "occurred_at": "2026-11-22 10:00:00",
                },
                {},
                f"bench:{tag}:{round_no}:o{n}",
            )
        )
    assert len(items) == ITEMS
    return items


def _measure(console: Any, backend: str, url: str, rounds: int, log: Any) -> dict[str, object]:
    from sqlalchemy import create_engine

    from csconsole.persistence.repositories.outbox import SqlOutboxQueue
    from csconsole.sync.push.outbox_push import ShopPusher

    engine = create_engine(url)
    names = {n: f"First{n}" for n in range(1, CUSTOMERS + 1)}
    streets = {n: "1 Main St" for n in range(1, CUSTOMERS + 1)}
    queue = SqlOutboxQueue(console.engine, console.uow)
    pushes: list[float] = []
    raws: list[float] = []
    for r in range(1, rounds + 2):  # round 1 warms up (creates csconsole_applied, caches)
        with console.uow() as uow:
            for item in _items(backend, r, names, streets):
                uow.outbox.enqueue(item)
            uow.commit()
        pusher = ShopPusher(engine, workstation="bench", clock=console.clock)
        started = time.perf_counter()
        report = pusher.push(queue)
        elapsed = time.perf_counter() - started
        if report.applied != ITEMS:
            raise RuntimeError(f"{backend}: pushed {report.applied} of {ITEMS}: {report.error}")
        raw = _raw_baseline(engine, r, names, streets)
        if r > 1:
            pushes.append(elapsed)
            raws.append(raw)
        log(f"[{backend}] round {r}: push {elapsed:.3f} s, raw executemany {raw:.3f} s")
    engine.dispose()
    value, baseline = statistics.median(pushes), statistics.median(raws)
    return {
        "name": f"push of {ITEMS:,} outbox items ({backend})",
        "value": round(value, 3),
        "unit": "s",
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": TARGET_S,
        "ok": value <= TARGET_S,
    }


def _raw_baseline(
    engine: Any, round_no: int, current_names: dict[int, str], current_streets: dict[int, str]
) -> float:
    """The same writes with nothing around them: executemany on the driver, one commit."""
    names = [(f"B{round_no}N{n}", n) for n in range(1, 701)]
    streets = [(f"{round_no} Raw Road {n}", n) for n in range(1, 201)]
    current_names.update({n: v for v, n in names})
    current_streets.update({n: v for v, n in streets})
    events = [(10_000_000 * round_no + n, f"raw{round_no}g{n}@example.com") for n in range(1, 101)]
    conn = engine.raw_connection()
    try:
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        cur = conn.cursor()
        started = time.perf_counter()
        cur.executemany(
            f"UPDATE customers SET first_name = {mark}, updated_at = CURRENT_TIMESTAMP"
            f" WHERE customer_id = {mark}",
            names,
        )
        cur.executemany(
            f"UPDATE addresses SET street = {mark}, updated_at = CURRENT_TIMESTAMP"
            f" WHERE address_id = {mark}",
            streets,
        )
        cur.executemany(
            "INSERT INTO subscription_events (event_id, customer_id, channel, event, source,"
            f" address, occurred_at, updated_at) VALUES ({mark}, NULL, 'email', 'unsubscribed',"
            f" 'customer_request', {mark}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            events,
        )
        conn.commit()
        return time.perf_counter() - started
    finally:
        conn.close()
