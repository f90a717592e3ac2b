"""Key sets: what the pull compares with the shop to find deleted rows and rows to read again
(per-table key totals and buckets, skipped rows, issues, row digests, the recent rows inside the
watermark's overlap window)."""

# ruff: noqa: S608 - every name put into SQL here is a constant (cache_model, the ORM), never input

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import Any

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.sync.pull.cache_port import SKIPPED
from csconsole.sync.shop.cache_model import BY_NAME


class KeySets:
    def __init__(self, connection: CacheConnection) -> None:
        self._db = connection

    def skipped_totals(self, entity: str) -> tuple[int, int]:
        """Count and key sum of skipped rows that are not in the cache table."""
        table = BY_NAME[entity].table
        row = self._db.execute(
            "SELECT count(*), coalesce(sum(i.row_key), 0) FROM sync_row_issue i"
            f' WHERE i.entity = ? AND i.outcome = ? AND NOT EXISTS (SELECT 1 FROM "{table}" t'
            " WHERE t.id = i.row_key)",
            (entity, SKIPPED),
        ).fetchone()
        return int(row[0]), int(row[1])

    def issue_keys(self, entity: str, limit: int) -> list[int]:
        """Keys of rows with an issue, least recently seen first (each pull reads them again:
        a parent may have arrived, a value may have been fixed)."""
        rows = self._db.execute(
            "SELECT row_key FROM sync_row_issue WHERE entity = ?"
            " ORDER BY last_seen_at, row_key LIMIT ?",
            (entity, limit),
        ).fetchall()
        return [r[0] for r in rows]

    def _skipped_keys(self, entity: str, lo: int | None = None, hi: int | None = None) -> list[int]:
        table = BY_NAME[entity].table
        sql = (
            "SELECT i.row_key FROM sync_row_issue i WHERE i.entity = ? AND i.outcome = ?"
            f' AND NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.id = i.row_key)'
        )
        params: list[Any] = [entity, SKIPPED]
        if lo is not None and hi is not None:
            sql += " AND i.row_key >= ? AND i.row_key < ?"
            params += [lo, hi]
        return [r[0] for r in self._db.execute(sql, params).fetchall()]

    def key_buckets(self, entity: str, width: int) -> dict[int, tuple[int, int]]:
        table = BY_NAME[entity].table
        out: dict[int, tuple[int, int]] = {
            int(b): (int(n), int(s))
            for b, n, s in self._db.execute(
                f'SELECT id / ?, count(*), sum(id) FROM "{table}" GROUP BY 1', (width,)
            ).fetchall()
        }
        for key in self._skipped_keys(entity):
            n, s = out.get(key // width, (0, 0))
            out[key // width] = (n + 1, s + key)
        return out

    def keys_between(self, entity: str, lo: int, hi: int) -> list[int]:
        table = BY_NAME[entity].table
        keys = [
            r[0]
            for r in self._db.execute(
                f'SELECT id FROM "{table}" WHERE id >= ? AND id < ? ORDER BY id', (lo, hi)
            ).fetchall()
        ]
        return sorted(keys + self._skipped_keys(entity, lo, hi))

    def recount(self, entity: str) -> None:
        table = BY_NAME[entity].table
        with self._db.transaction():
            self._db.execute(
                "UPDATE sync_table_state SET (row_count, key_sum) ="
                f' (SELECT count(*), coalesce(sum(id), 0) FROM "{table}") WHERE entity = ?',
                (entity,),
            )

    def digests(self, entity: str) -> tuple[array[int], array[int]]:
        keys: array[int] = array("q")
        values: array[int] = array("q")
        cur = self._db.execute(
            "SELECT row_key, digest FROM sync_row_hash WHERE entity = ? ORDER BY row_key",
            (entity,),
        )
        while rows := cur.fetchmany(10_000):
            for k, d in rows:
                keys.append(k)
                values.append(d)
        return keys, values

    def recent(self, entity: str) -> dict[int, int]:
        rows = self._db.execute(
            "SELECT row_key, digest FROM sync_recent_row WHERE entity = ?", (entity,)
        ).fetchall()
        return {k: d for k, d in rows}

    def replace_recent(
        self, entity: str, digests: Mapping[int, int], previous: Mapping[int, int] | None = None
    ) -> None:
        """Make the entity's recent rows ``digests``; with ``previous`` (what ``recent``
        returned), write only the difference."""
        with self._db.transaction():
            if previous is None:
                self._db.execute("DELETE FROM sync_recent_row WHERE entity = ?", (entity,))
                changed = sorted(digests.items())
            else:
                gone = sorted(k for k in previous if k not in digests)
                self._db.executemany(
                    "DELETE FROM sync_recent_row WHERE entity = ? AND row_key = ?",
                    [(entity, k) for k in gone],
                )
                changed = sorted((k, d) for k, d in digests.items() if previous.get(k) != d)
            self._db.executemany(
                "INSERT OR REPLACE INTO sync_recent_row(entity, row_key, digest) VALUES (?, ?, ?)",
                [(entity, k, d) for k, d in changed],
            )
