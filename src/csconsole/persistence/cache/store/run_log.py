"""The sync's log in the cache: one ``sync_run`` row per run, the per-table state (watermarks,
key totals) and the cache's meta values; and the lock the running sync holds.

A run killed before its end leaves its row ``running``. The run holds ``SyncLock`` (an OS file
lock next to the cache, dropped by the OS when the process dies) from its start to its end, so
the next run that gets the lock knows no other run is alive and closes such rows as
``interrupted``.
"""

# ruff: noqa: S608 - every name put into SQL here is a constant, never input

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: no lock, so a row is closed only by its own run
    fcntl = None  # type: ignore[assignment]

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.layout import STATE_COLUMNS
from csconsole.sync.pull.cache_port import TableState

INTERRUPTED = "interrupted"
_INTERRUPTED_MESSAGE = "the sync stopped before it finished (its process was killed or crashed)"


class SyncLock:
    """An exclusive, non-blocking OS lock on ``<cache>.sync-lock``, held until ``release``."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock (True), or find another live run holding it (False)."""
        if self._fd is not None or self._path is None or fcntl is None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file drops the lock
            self._fd = None


class RunLog:
    def __init__(self, connection: CacheConnection, stamp: Callable[[], str]) -> None:
        self._db = connection
        self._stamp = stamp  # "now" as the cache stores it

    def states(self) -> dict[str, TableState]:
        rows = self._db.execute(f"SELECT {STATE_COLUMNS} FROM sync_table_state").fetchall()
        out = {}
        for r in rows:
            out[r[0]] = TableState(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                int(r[5]),
                int(r[6]),
                _dt(r[7]),
                _dt(r[8]),
            )
        return out

    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self._db.execute("SELECT key, value FROM cache_meta").fetchall()}

    def close_interrupted(self) -> int:
        """Close the rows of runs that died while running (call with the sync lock held)."""
        with self._db.transaction():
            cur = self._db.execute(
                "UPDATE sync_run SET status = ?, finished_at = ?, message = ?"
                " WHERE status = 'running'",
                (INTERRUPTED, self._stamp(), _INTERRUPTED_MESSAGE),
            )
            closed = int(cur.rowcount)
        return closed

    def start_run(self, kind: str, source: str, mapping: str) -> int:
        with self._db.transaction():
            cur = self._db.execute(
                "INSERT INTO sync_run(started_at, kind, status, source, mapping, rows_read,"
                " rows_written, rows_deleted, rows_skipped) VALUES (?, ?, 'running', ?, ?,"
                " 0, 0, 0, 0)",
                (self._stamp(), kind, source[:300], mapping[:64]),
            )
            run_id = int(cur.lastrowid)
        return run_id

    def end_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        message: str | None,
        kind: str | None = None,
    ) -> None:
        self._db.rollback()  # whatever the failed run left open
        with self._db.transaction():
            self._db.execute(
                "UPDATE sync_run SET finished_at = ?, status = ?, rows_read = ?,"
                " rows_written = ?, rows_deleted = ?, rows_skipped = ?, message = ?,"
                " kind = coalesce(?, kind) WHERE id = ?",
                (
                    self._stamp(),
                    status,
                    counts.get("read", 0),
                    counts.get("written", 0),
                    counts.get("deleted", 0),
                    counts.get("skipped", 0),
                    message,
                    kind,
                    run_id,
                ),
            )


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
