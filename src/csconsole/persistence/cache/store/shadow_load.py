"""The full load through shadow tables, so that a load killed at any point leaves the cache as
it was:

1. the shop tables, ``sync_row_hash``, ``sync_row_issue`` and the name index are created
   again as ``<name>__new`` (same DDL), and filled without secondary indexes, committing every
   few seconds (the live tables and their indexes serve searches meanwhile);
2. the live tables' secondary indexes are dropped and built on the shadows under the same names,
   one index per transaction (searches still work, on scans, for those seconds);
3. rows whose parent is missing are swept out (recorded as skipped) in SQL;
4. one short transaction swaps the tables by renaming (``legacy_alter_table`` so foreign keys
   keep naming the live tables) and writes the new watermarks;
5. the old tables are dropped, each in its own transaction.

A kill in 1-3 leaves shadows (dropped by :func:`recover` at the next start, which also rebuilds
any index dropped in 2); a kill in 5 leaves ``__old`` tables (dropped the same way).
"""

# ruff: noqa: S608 - every name put into SQL here is a constant (cache_model, the ORM), never input

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence

from csconsole.domain.errors import CacheError
from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.layout import (
    NAME_INDEX,
    RETIRED,
    ROW_BOOKKEEPING_TABLES,
    SHADOW,
    STATE_COLUMNS,
    chunks,
    index_sql,
    placeholders,
    row_layout,
    secondary_indexes,
    shop_tables,
)
from csconsole.services.ports import ProgressReport
from csconsole.sync.pull.cache_port import (
    FULL_LOAD_PENDING,
    REPAIRED,
    SKIPPED,
    CacheRow,
    RowIssue,
    TableState,
)
from csconsole.sync.shop.cache_model import BY_NAME, ENTITIES


def recover(db: CacheConnection) -> None:
    """Drop shadow and old tables a killed load left; rebuild missing indexes."""
    db.rollback()
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        leftovers = sorted(
            t
            for t in db.names("table")
            if t.endswith((SHADOW, RETIRED))
            and t.removesuffix(SHADOW).removesuffix(RETIRED)
            in (*shop_tables(), *ROW_BOOKKEEPING_TABLES, NAME_INDEX)
        )
        for name in leftovers:
            with db.transaction():
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
        missing = [i for i in secondary_indexes() if i[0] not in db.names("index")]
        for name, table, cols in missing:
            with db.transaction():
                db.execute(index_sql(name, table, cols, if_not_exists=True))
    finally:
        db.rollback()
        db.execute("PRAGMA foreign_keys = ON")


class ShadowLoad:
    """``FullLoadWriter``: a full load into ``__new`` tables, swapped in by ``finish``."""

    COMMIT_EVERY_S = 3.0

    def __init__(self, connection: CacheConnection, stamp: Callable[[], str]) -> None:
        self._db = connection
        self._stamp = stamp  # "now" as the cache stores it
        self._db.execute("PRAGMA foreign_keys = OFF")
        # Checkpoints while loading, but fewer and larger ones (each one syncs the file).
        self._db.execute("PRAGMA wal_autocheckpoint = 10000")
        self._totals: dict[str, tuple[int, int]] = {}
        self._recent: dict[str, dict[int, int]] = {}
        self._tables = [*shop_tables(), *ROW_BOOKKEEPING_TABLES]
        self._sql: dict[str, str] = {}
        self._last_commit = time.monotonic()
        with self._db.transaction():
            for table in self._tables:
                self._db.execute(_renamed_ddl(self._ddl(table), table + SHADOW))
            fts = self._ddl(NAME_INDEX, virtual=True)
            self._db.execute(_renamed_ddl(fts, NAME_INDEX + SHADOW))
            self._db.execute(
                "INSERT OR REPLACE INTO cache_meta(key, value) VALUES (?, ?)",
                (FULL_LOAD_PENDING, self._stamp()),
            )
        # The load's one transaction, committed every few seconds (``commit``).
        self._db.begin()
        for e in ENTITIES:
            columns = row_layout(e)
            cols = ", ".join(f'"{c}"' for c in columns)
            self._sql[e.name] = (
                f'INSERT INTO "{e.table}{SHADOW}" ({cols}) VALUES ({placeholders(len(columns))})'
            )

    def _ddl(self, table: str, *, virtual: bool = False) -> str:
        row = self._db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if row is None or not row[0]:
            raise CacheError(f"The cache has no table {table}; it was not migrated.")
        return str(row[0])

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit >= self.COMMIT_EVERY_S:
            self.commit()

    def insert(self, entity: str, rows: Sequence[CacheRow]) -> None:
        self._db.executemany(self._sql[entity], rows)
        n, total = self._totals.get(entity, (0, 0))
        self._totals[entity] = (n + len(rows), total + sum(r[0] for r in rows))
        self._maybe_commit()

    def insert_names(self, rows: Sequence[tuple[int, str]]) -> None:
        self._db.executemany(f'INSERT INTO "{NAME_INDEX}{SHADOW}"(rowid, name) VALUES (?, ?)', rows)

    def insert_digests(self, entity: str, pairs: Sequence[tuple[int, int]]) -> None:
        self._db.executemany(
            f'INSERT OR REPLACE INTO "sync_row_hash{SHADOW}"(entity, row_key, digest)'
            " VALUES (?, ?, ?)",
            [(entity, k, d) for k, d in pairs],
        )

    def add_issues(self, issues: Sequence[RowIssue], stamp: str | None = None) -> None:
        stamp = stamp or self._stamp()
        self._db.executemany(
            f'INSERT OR REPLACE INTO "sync_row_issue{SHADOW}"(entity, row_key, outcome,'
            " source_table, column_name, reason, first_seen_at, last_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i.entity, i.row_key, i.outcome, i.source_table, i.column, i.reason, stamp, stamp)
                for i in issues
            ],
        )

    def set_recent(self, entity: str, digests: Mapping[int, int]) -> None:
        """The rows inside the overlap window of the new watermark (written at the swap)."""
        self._recent[entity] = dict(digests)

    def commit(self) -> None:
        self._db.commit()
        self._last_commit = time.monotonic()
        self._db.begin()

    def abort(self) -> None:
        """Stop: drop the shadows. A full load that was asked for is asked for again next time
        (the pending mark stays), whether it stopped here or by a kill."""
        self._db.rollback()
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        recover(self._db)

    # --- finishing -------------------------------------------------------------------------

    def _sweep_orphans(self) -> dict[str, tuple[int, int]]:
        """Rows whose parent did not arrive: skipped (required link) or unlinked (optional).

        Runs once the indexes exist: the distinct parent ids of a child table come from its
        index on the link column, in order, so the check is a merge, not a lookup per row.
        Returns per entity the count and key sum of the rows deleted.
        """
        stamp = self._stamp()
        removed: dict[str, tuple[int, int]] = {}
        for e in ENTITIES:
            for link in e.parents:
                parent = BY_NAME[link.entity].table + SHADOW
                child = e.table + SHADOW
                col = link.column
                missing = [
                    r[0]
                    for r in self._db.execute(
                        f'SELECT c.v FROM (SELECT DISTINCT "{col}" AS v FROM "{child}"'
                        f' WHERE "{col}" IS NOT NULL) c WHERE NOT EXISTS'
                        f' (SELECT 1 FROM "{parent}" p WHERE p.id = c.v)'
                    ).fetchall()
                ]
                if not missing:
                    continue
                outcome, suffix = (SKIPPED, "") if link.required else (REPAIRED, "; unlinked")
                orphans: list[tuple[int, int]] = []
                for chunk in chunks(missing):
                    orphans += self._db.execute(
                        f'SELECT id, "{col}" FROM "{child}" WHERE "{col}" IN'
                        f" ({placeholders(len(chunk))})",
                        tuple(chunk),
                    ).fetchall()
                self.add_issues(
                    [
                        RowIssue(
                            e.name,
                            key,
                            outcome,
                            "",
                            col,
                            f"{link.entity} {parent_key} is not in the cache{suffix}",
                        )
                        for key, parent_key in orphans
                    ],
                    stamp,
                )
                keys = [k for k, _ in orphans]
                for chunk in chunks(keys):
                    marks = placeholders(len(chunk))
                    if link.required:
                        self._db.execute(
                            f'DELETE FROM "{child}" WHERE id IN ({marks})', tuple(chunk)
                        )
                    else:
                        self._db.execute(
                            f'UPDATE "{child}" SET "{col}" = NULL WHERE id IN ({marks})',
                            tuple(chunk),
                        )
                if link.required:
                    n, total = removed.get(e.name, (0, 0))
                    removed[e.name] = (n + len(keys), total + sum(keys))
        return removed

    def finish(
        self, states: Sequence[TableState], meta: Mapping[str, str], progress: ProgressReport
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        indexes = secondary_indexes()
        steps = len(indexes) + 3
        self._db.commit()  # the load's last rows
        # Free the index names on the live tables, then build the indexes on the shadows.
        self._db.execute("PRAGMA threads = 4")  # sorting for CREATE INDEX on helper threads
        try:
            for step, (name, table, cols) in enumerate(indexes, start=1):
                progress("building indexes", step, steps)
                with self._db.transaction():
                    self._db.execute(f'DROP INDEX IF EXISTS "{name}"')
                    self._db.execute(index_sql(name, table + SHADOW, cols, if_not_exists=False))
        finally:
            self._db.execute("PRAGMA threads = 0")
        progress("checking references", len(indexes) + 1, steps)
        with self._db.transaction():
            removed = self._sweep_orphans()
        totals: dict[str, tuple[int, int]] = {}
        for e in ENTITIES:
            n, total = self._totals.get(e.name, (0, 0))
            gone_n, gone_sum = removed.get(e.name, (0, 0))
            totals[e.name] = (n - gone_n, total - gone_sum)
            counts[e.table] = n - gone_n
        counts["_orphans"] = sum(n for n, _ in removed.values())
        progress("switching to the new data", steps - 1, steps)
        self._db.execute("PRAGMA legacy_alter_table = ON")
        try:
            self._swap(states, meta, totals)
        finally:
            self._db.execute("PRAGMA legacy_alter_table = OFF")
        progress("tidying up", steps, steps)
        for table in [*self._tables, NAME_INDEX]:
            with self._db.transaction():
                self._db.execute(f'DROP TABLE IF EXISTS "{table}{RETIRED}"')
        self._db.execute("PRAGMA wal_autocheckpoint = 0")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA optimize")
        return counts

    def _swap(
        self,
        states: Sequence[TableState],
        meta: Mapping[str, str],
        totals: Mapping[str, tuple[int, int]],
    ) -> None:
        """One short transaction: the shadows become the live tables, with the new watermarks,
        key totals and meta values."""
        with self._db.transaction():
            # Merges of the new name index happen after pulls, not in them (``merge_later``).
            shadow_index = f'"{NAME_INDEX}{SHADOW}"'
            self._db.execute(
                f"INSERT INTO {shadow_index}({shadow_index}, rank) VALUES ('automerge', 0)"
            )
            for table in [*self._tables, NAME_INDEX]:
                self._db.execute(f'ALTER TABLE "{table}" RENAME TO "{table}{RETIRED}"')
                self._db.execute(f'ALTER TABLE "{table}{SHADOW}" RENAME TO "{table}"')
            self._db.execute("DELETE FROM sync_table_state")
            self._db.execute("DELETE FROM sync_recent_row")
            self._db.executemany(
                "INSERT INTO sync_recent_row(entity, row_key, digest) VALUES (?, ?, ?)",
                [(e, k, d) for e, rows in self._recent.items() for k, d in sorted(rows.items())],
            )
            stamp = self._stamp()
            known = {s.entity: s for s in states}
            rows = []
            for e in ENTITIES:
                s = known.get(e.name)
                n, total = totals[e.name]
                rows.append(
                    (
                        e.name,
                        s.source_table if s else "",
                        s.mode if s else "unmapped",
                        s.watermark if s else None,
                        s.watermark_key if s else None,
                        n,
                        total,
                        stamp,
                        stamp,
                    )
                )
            self._db.executemany(
                f"INSERT INTO sync_table_state({STATE_COLUMNS}) VALUES ({placeholders(9)})", rows
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO cache_meta(key, value) VALUES (?, ?)",
                sorted(meta.items()),
            )
            self._db.execute("DELETE FROM cache_meta WHERE key = ?", (FULL_LOAD_PENDING,))


_CREATE = re.compile(r'^(CREATE\s+(?:VIRTUAL\s+)?TABLE\s+)("?)([A-Za-z0-9_]+)\2', re.IGNORECASE)


def _renamed_ddl(ddl: str, new_name: str) -> str:
    """The CREATE statement of a table, for a table of another name (same columns, keys,
    constraints; foreign keys still naming the live tables)."""
    if not _CREATE.match(ddl):
        raise CacheError("Unexpected table definition in the cache; cannot make a shadow copy.")
    return _CREATE.sub(lambda m: f'{m.group(1)}"{new_name}"', ddl, count=1)
