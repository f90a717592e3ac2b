"""The sync's log in the cache: one ``sync_run`` row per run, the per-table state (watermarks,
key totals) and the cache's meta values."""

# ruff: noqa: S608 - every name put into SQL here is a constant, never input

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.layout import STATE_COLUMNS
from csconsole.sync.pull.cache_port import TableState


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
