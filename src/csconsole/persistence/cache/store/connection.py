"""The store's one DB-API connection to the cache, in explicit-transaction mode with the sync's
settings, and the one way to run a transaction on it (:meth:`CacheConnection.transaction`).

Everything runs on the thread that opened the connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from csconsole.domain.errors import CacheError
from csconsole.persistence.cache import sql_functions

SYNC_CACHE_KIB = -262144  # 256 MiB of page cache for the sync connection while it syncs
POOL_CACHE_KIB = -65536  # what persistence.cache gives every connection


class CacheConnection:
    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        conn = self._raw.driver_connection
        if conn is None:
            raise CacheError("The cache connection is closed.")
        self.driver: Any = conn
        self._saved_isolation = conn.isolation_level
        conn.isolation_level = None  # explicit BEGIN/COMMIT
        sql_functions.register(conn)
        # Durable against a killed process (WAL); only an OS crash may lose the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        # The pages an incremental batch touches fit in memory between reading and writing
        # them; the write-ahead log is folded in once, at the end of the run (checkpoint()).
        conn.execute(f"PRAGMA cache_size = {SYNC_CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.driver.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        return self.driver.executemany(sql, rows)

    @property
    def total_changes(self) -> int:
        return int(self.driver.total_changes)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` (the write lock at the start, so no statement half-way through
        fails waiting to upgrade a read lock), ``COMMIT`` at the end, ``ROLLBACK`` if anything
        raised."""
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    # The three steps of :meth:`transaction`, for the full load's one long transaction that
    # commits every few seconds (``ShadowLoad``); everything else uses ``transaction``.
    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self.driver.in_transaction:
            self.execute("ROLLBACK")

    def names(self, kind: str) -> set[str]:
        """Names of the tables (``"table"``) or indexes (``"index"``) in the cache."""
        rows = self.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,)).fetchall()
        return {r[0] for r in rows}

    def close(self) -> None:
        """Give the connection back to the pool with the pool's settings."""
        self.rollback()
        try:
            self.execute("PRAGMA wal_autocheckpoint = 1000")
            self.execute(f"PRAGMA cache_size = {POOL_CACHE_KIB}")
            self.execute("PRAGMA shrink_memory")
            self.execute("PRAGMA synchronous = FULL")
            self.execute("PRAGMA foreign_keys = ON")
            self.execute("PRAGMA legacy_alter_table = OFF")
        finally:
            self.driver.isolation_level = self._saved_isolation
            self._raw.close()
