"""The pull's writes into the encrypted cache: full loads through shadow tables, and
incremental batches that touch only what changed. Implements ``sync.cache_port.CacheStore``.

Everything runs on one DB-API connection, on the thread that created the store.

Full load (``ShadowLoad``), so that a load killed at any point leaves the cache as it was:
1. the shop tables, ``sync_row_hash``, ``sync_row_issue`` and the name index are created
   again as ``<name>__new`` (same DDL), and filled without secondary indexes, committing every
   few batches (the live tables and their indexes serve searches meanwhile);
2. rows whose parent is missing are swept out (recorded as skipped) in SQL;
3. the live tables' secondary indexes are dropped and built on the shadows under the same names,
   one index per transaction (searches still work, on scans, for those seconds);
4. one short transaction swaps the tables by renaming (``legacy_alter_table`` so foreign keys
   keep naming the live tables) and writes the new watermarks;
5. the old tables are dropped, each in its own transaction.
A kill in 1-3 leaves shadows (dropped by ``recover`` at the next start, which also rebuilds any
index dropped in 3); a kill in 5 leaves ``__old`` tables (dropped the same way).

Incremental (``apply``): rows are compared with what the cache holds; only new rows are
inserted and only changed columns updated, grouped into one prepared ``executemany`` per set
of changed columns, so an index is touched only when its column changed. The name index is
kept by ``INSERT OR REPLACE`` of just the customers whose name changed, no triggers, and never
merges its segments inside a pull (FTS5 ``automerge`` 0): ``checkpoint`` merges them after the
run's last commit, in bounded steps. Deletes remove children explicitly before parents, so the
per-table key totals stay exact.
"""

# ruff: noqa: S608 - every name put into SQL here is a constant (cache_model, the ORM), never input

from __future__ import annotations

import re
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from csconsole.domain.errors import CacheError
from csconsole.persistence.cache import sql_functions
from csconsole.persistence.models import Base
from csconsole.sync.pull.cache_port import (
    FULL_LOAD_PENDING,
    REPAIRED,
    SKIPPED,
    ApplyBatch,
    ApplyResult,
    CacheRow,
    Progress,
    RowIssue,
    TableState,
)
from csconsole.sync.shop.cache_model import BY_NAME, ENTITIES, Entity, name_text

FTS = "customer_name_fts"
NEW = "__new"
OLD = "__old"
_BOOK = ("sync_row_hash", "sync_row_issue")
_CHUNK = 500
SYNC_CACHE_KIB = -262144  # 256 MiB of page cache for the sync connection while it syncs
# The name index's segment merges run after the pull's last commit (``checkpoint``), not inside
# the pull's transactions: in steps of this many pages, for at most this long per run.
NAME_MERGE_PAGES = 256
NAME_MERGE_S = 0.5
POOL_CACHE_KIB = -65536  # what persistence.cache gives every connection
_STATE_COLUMNS = (
    "entity, source_table, mode, watermark, watermark_key, row_count, key_sum, loaded_at, pulled_at"
)


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(" ", timespec="seconds")


def _layout(entity: Entity) -> tuple[str, ...]:
    return ("id", *(c.name for c in entity.columns), *(d.name for d in entity.derived))


def _shop_tables() -> list[str]:
    return [e.table for e in ENTITIES]


def _indexes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(index name, table, columns) of every secondary index of the shop tables."""
    out = []
    for e in ENTITIES:
        table = Base.metadata.tables[e.table]
        for index in table.indexes:
            out.append((str(index.name), e.table, tuple(c.name for c in index.columns)))
    return out


def _index_sql(name: str, table: str, columns: Sequence[str], *, if_not_exists: bool) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    guard = "IF NOT EXISTS " if if_not_exists else ""
    return f'CREATE INDEX {guard}"{name}" ON "{table}" ({cols})'


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteCacheStore:
    """``CacheStore`` on the encrypted cache."""

    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        conn = self._raw.driver_connection
        if conn is None:
            raise CacheError("The cache connection is closed.")
        self._conn: Any = conn
        self._saved_isolation = conn.isolation_level
        conn.isolation_level = None  # explicit BEGIN/COMMIT
        sql_functions.register(conn)
        # Durable against a killed process (WAL); only an OS crash may lose the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        # The pages an incremental batch touches fit in memory between reading and writing
        # them; the write-ahead log is folded in once, at the end of the run (checkpoint()).
        conn.execute(f"PRAGMA cache_size = {SYNC_CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._manual_merges = False
        self._children: dict[str, list[tuple[Entity, str, bool]]] = defaultdict(list)
        for e in ENTITIES:
            for link in e.parents:
                self._children[link.entity].append((e, link.column, link.required))

    # --- helpers ---------------------------------------------------------------------------

    def _x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _begin(self) -> None:
        self._x("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._x("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._x("ROLLBACK")

    def _names(self, kind: str) -> set[str]:
        rows = self._x("SELECT name FROM sqlite_master WHERE type = ?", (kind,)).fetchall()
        return {r[0] for r in rows}

    def close(self) -> None:
        self._rollback()
        try:
            self._x("PRAGMA wal_autocheckpoint = 1000")
            self._x(f"PRAGMA cache_size = {POOL_CACHE_KIB}")
            self._x("PRAGMA shrink_memory")
            self._x("PRAGMA synchronous = FULL")
            self._x("PRAGMA foreign_keys = ON")
            self._x("PRAGMA legacy_alter_table = OFF")
        finally:
            self._conn.isolation_level = self._saved_isolation
            self._raw.close()

    # --- recovery --------------------------------------------------------------------------

    def recover(self) -> None:
        """Drop shadow and old tables a killed load left; rebuild missing indexes."""
        self._rollback()
        self._x("PRAGMA foreign_keys = OFF")
        try:
            tables = self._names("table")
            leftovers = sorted(
                t
                for t in tables
                if t.endswith((NEW, OLD))
                and t.removesuffix(NEW).removesuffix(OLD) in (*_shop_tables(), *_BOOK, FTS)
            )
            for name in leftovers:
                self._begin()
                self._x(f'DROP TABLE IF EXISTS "{name}"')
                self._commit()
            missing = [i for i in _indexes() if i[0] not in self._names("index")]
            for name, table, cols in missing:
                self._begin()
                self._x(_index_sql(name, table, cols, if_not_exists=True))
                self._commit()
        finally:
            self._rollback()
            self._x("PRAGMA foreign_keys = ON")

    # --- state -----------------------------------------------------------------------------

    def states(self) -> dict[str, TableState]:
        rows = self._x(f"SELECT {_STATE_COLUMNS} FROM sync_table_state").fetchall()
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
        return {k: v for k, v in self._x("SELECT key, value FROM cache_meta").fetchall()}

    # --- full load -------------------------------------------------------------------------

    def begin_full_load(self) -> ShadowLoad:
        self.recover()
        return ShadowLoad(self)

    # --- incremental -----------------------------------------------------------------------

    def apply(self, batch: ApplyBatch) -> ApplyResult:
        entity = BY_NAME[batch.entity]
        result = ApplyResult()
        self._begin()
        try:
            rows, issues = self._parents(entity, batch.upserts)
            keys_ok = {r[0] for r in rows}
            gone = set(batch.deletes)
            cleared = [k for k in batch.cleared if k in keys_ok or k in gone]
            for chunk in _chunks(cleared):
                self._x(
                    f"DELETE FROM sync_row_issue WHERE entity = ? AND row_key IN"
                    f" ({_marks(len(chunk))})",
                    (entity.name, *chunk),
                )
            self._upsert(entity, rows, result)
            if batch.deletes:
                self._delete(entity, batch.deletes, result)
            if batch.digests:
                pairs = [(entity.name, k, d) for k, d in batch.digests.items() if k in keys_ok]
                self._conn.executemany(
                    "INSERT OR REPLACE INTO sync_row_hash(entity, row_key, digest)"
                    " VALUES (?, ?, ?)",
                    pairs,
                )
            all_issues = [*batch.issues, *issues]
            result.skipped += sum(1 for i in issues if i.outcome == SKIPPED)
            self._issues(all_issues)
            stamp = _now()
            if batch.watermark is not None:
                self._x(
                    "UPDATE sync_table_state SET watermark = ?, watermark_key = ?, pulled_at = ?"
                    " WHERE entity = ?",
                    (*batch.watermark, stamp, entity.name),
                )
            else:
                self._x(
                    "UPDATE sync_table_state SET pulled_at = ? WHERE entity = ?",
                    (stamp, entity.name),
                )
            self._commit()
        except BaseException:
            self._rollback()
            raise
        return result

    def _present(self, table: str, keys: Iterable[int]) -> set[int]:
        found: set[int] = set()
        ordered = sorted(keys)
        for chunk in _chunks(ordered):
            rows = self._x(
                f'SELECT id FROM "{table}" WHERE id IN ({_marks(len(chunk))})', tuple(chunk)
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def _parents(
        self, entity: Entity, rows: Sequence[CacheRow]
    ) -> tuple[list[CacheRow], list[RowIssue]]:
        """Rows whose parents are in the cache; the others skipped (or unlinked if optional)."""
        if not entity.parents or not rows:
            return list(rows), []
        layout = _layout(entity)
        issues: list[RowIssue] = []
        out = list(rows)
        for link in entity.parents:
            pos = layout.index(link.column)
            wanted = {r[pos] for r in out if r[pos] is not None}
            present = self._present(BY_NAME[link.entity].table, wanted)
            if len(present) == len(wanted):
                continue
            kept: list[CacheRow] = []
            for row in out:
                parent = row[pos]
                if parent is None or parent in present:
                    kept.append(row)
                    continue
                reason = f"{link.entity} {parent} is not in the cache"
                if link.required:
                    issues.append(RowIssue(entity.name, row[0], SKIPPED, "", link.column, reason))
                else:
                    issues.append(
                        RowIssue(
                            entity.name, row[0], REPAIRED, "", link.column, reason + "; unlinked"
                        )
                    )
                    kept.append((*row[:pos], None, *row[pos + 1 :]))
            out = kept
        return out, issues

    def _current(self, entity: Entity, keys: Sequence[int]) -> dict[int, CacheRow]:
        cols = ", ".join(f'"{c}"' for c in _layout(entity))
        found: dict[int, CacheRow] = {}
        for chunk in _chunks(sorted(keys)):
            rows = self._x(
                f'SELECT {cols} FROM "{entity.table}" WHERE id IN ({_marks(len(chunk))})',
                tuple(chunk),
            ).fetchall()
            found.update((r[0], tuple(r)) for r in rows)
        return found

    def _upsert(self, entity: Entity, rows: Sequence[CacheRow], result: ApplyResult) -> None:
        if not rows:
            return
        layout = _layout(entity)
        current = self._current(entity, [r[0] for r in rows])
        inserts: list[CacheRow] = []
        groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = defaultdict(list)
        names: list[tuple[int, str]] = []
        first = layout.index("first_name") if entity.name_index else 0
        last = layout.index("last_name") if entity.name_index else 0
        width = len(layout)
        for row in rows:
            old = current.get(row[0])
            if old is None:
                inserts.append(row)
                if entity.name_index:
                    names.append((row[0], name_text(row[first], row[last])))
                continue
            if old == row:
                result.unchanged += 1
                continue
            changed = tuple(i for i in range(1, width) if old[i] != row[i])
            groups[changed].append((*(row[i] for i in changed), row[0]))
            if entity.name_index and (old[first] != row[first] or old[last] != row[last]):
                names.append((row[0], name_text(row[first], row[last])))
        if inserts:
            inserts.sort(key=lambda r: r[0])
            cols = ", ".join(f'"{c}"' for c in layout)
            self._conn.executemany(
                f'INSERT INTO "{entity.table}" ({cols}) VALUES ({_marks(width)})', inserts
            )
            keys = [r[0] for r in inserts]
            self._x(
                "UPDATE sync_table_state SET row_count = row_count + ?, key_sum = key_sum + ?"
                " WHERE entity = ?",
                (len(keys), sum(keys), entity.name),
            )
        for changed, params in groups.items():
            sets = ", ".join(f'"{layout[i]}" = ?' for i in changed)
            params.sort(key=lambda p: p[-1])  # in key order: neighbouring rows share pages
            self._conn.executemany(f'UPDATE "{entity.table}" SET {sets} WHERE id = ?', params)
        if names:
            names.sort()
            self._merge_later()
            self._conn.executemany(
                f"INSERT OR REPLACE INTO {FTS}(rowid, name) VALUES (?, ?)", names
            )
        result.inserted += len(inserts)
        result.updated += sum(len(p) for p in groups.values())

    def _merge_later(self) -> None:
        """Turn the name index's automatic merging off (once; the setting is kept in the
        index): FTS5 would otherwise merge segments inside whichever pull's commit crosses
        its threshold, rewriting up to the whole index (7,000 pages at 1M customers) before
        the pull's changes become visible. ``checkpoint`` does that work instead, in bounded
        steps after the pull's last commit."""
        if self._manual_merges:
            return
        row = self._x(f"SELECT v FROM {FTS}_config WHERE k = 'automerge'").fetchone()
        if row is None or row[0] != 0:
            self._x(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('automerge', 0)")
        self._manual_merges = True

    def merge_names(self, budget_s: float = NAME_MERGE_S) -> int:
        """Merge the name index's segments, a few pages per transaction, until nothing is left
        to merge or ``budget_s`` is spent; returns the steps that did work. Searches see the
        same rows before and after; what is left is done by the next run."""
        self._rollback()
        steps = 0
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            self._begin()
            try:
                before = self._conn.total_changes
                self._x(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('merge', ?)", (NAME_MERGE_PAGES,))
                worked = self._conn.total_changes - before >= 2  # FTS5's documented signal
                self._commit()
            except BaseException:
                self._rollback()
                raise
            if not worked:
                break
            steps += 1
        return steps

    def _delete(self, entity: Entity, keys: Sequence[int], result: ApplyResult) -> None:
        """Delete rows and, first, their children (so every table's totals stay exact)."""
        present = sorted(self._present(entity.table, keys))
        for child, column, required in self._children[entity.name]:
            for chunk in _chunks(present):
                marks = _marks(len(chunk))
                if required:
                    rows = self._x(
                        f'SELECT id FROM "{child.table}" WHERE "{column}" IN ({marks})', chunk
                    ).fetchall()
                    if rows:
                        self._delete(child, [r[0] for r in rows], result)
                else:
                    self._x(
                        f'UPDATE "{child.table}" SET "{column}" = NULL WHERE "{column}" IN'
                        f" ({marks})",
                        chunk,
                    )
        for chunk in _chunks(present):
            marks = _marks(len(chunk))
            self._x(f'DELETE FROM "{entity.table}" WHERE id IN ({marks})', chunk)
            self._x(
                f"DELETE FROM sync_row_hash WHERE entity = ? AND row_key IN ({marks})",
                (entity.name, *chunk),
            )
            if entity.name_index:
                self._merge_later()
                self._x(f"DELETE FROM {FTS} WHERE rowid IN ({marks})", chunk)
        for chunk in _chunks(list(keys)):
            self._x(
                f"DELETE FROM sync_row_issue WHERE entity = ? AND row_key IN"
                f" ({_marks(len(chunk))})",
                (entity.name, *chunk),
            )
        if present:
            self._x(
                "UPDATE sync_table_state SET row_count = row_count - ?, key_sum = key_sum - ?"
                " WHERE entity = ?",
                (len(present), sum(present), entity.name),
            )
        result.deleted += len(present)

    def _issues(self, issues: Sequence[RowIssue]) -> None:
        if not issues:
            return
        merged: dict[tuple[str, int], RowIssue] = {}
        for issue in issues:
            key = (issue.entity, issue.row_key)
            old = merged.get(key)
            if old is None or (old.outcome == REPAIRED and issue.outcome == SKIPPED):
                merged[key] = issue
            elif old.outcome == issue.outcome and issue.column not in old.column:
                merged[key] = RowIssue(
                    old.entity,
                    old.row_key,
                    old.outcome,
                    old.source_table or issue.source_table,
                    f"{old.column}, {issue.column}"[:200],
                    f"{old.reason}; {issue.reason}"[:400],
                )
        stamp = _now()
        self._conn.executemany(
            "INSERT INTO sync_row_issue(entity, row_key, outcome, source_table, column_name,"
            " reason, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(entity, row_key) DO UPDATE SET outcome = excluded.outcome,"
            " source_table = CASE WHEN excluded.source_table = '' THEN source_table"
            " ELSE excluded.source_table END,"
            " column_name = excluded.column_name, reason = excluded.reason,"
            " last_seen_at = excluded.last_seen_at",
            [
                (i.entity, i.row_key, i.outcome, i.source_table, i.column, i.reason, stamp, stamp)
                for i in merged.values()
            ],
        )

    # --- key sets (deletes) ----------------------------------------------------------------

    def skipped_totals(self, entity: str) -> tuple[int, int]:
        """Count and key sum of skipped rows that are not in the cache table."""
        table = BY_NAME[entity].table
        row = self._x(
            "SELECT count(*), coalesce(sum(i.row_key), 0) FROM sync_row_issue i"
            f' WHERE i.entity = ? AND i.outcome = ? AND NOT EXISTS (SELECT 1 FROM "{table}" t'
            " WHERE t.id = i.row_key)",
            (entity, SKIPPED),
        ).fetchone()
        return int(row[0]), int(row[1])

    def issue_keys(self, entity: str, limit: int) -> list[int]:
        """Keys of rows with an issue, least recently seen first (each pull reads them again:
        a parent may have arrived, a value may have been fixed)."""
        rows = self._x(
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
        return [r[0] for r in self._x(sql, params).fetchall()]

    def key_buckets(self, entity: str, width: int) -> dict[int, tuple[int, int]]:
        table = BY_NAME[entity].table
        out: dict[int, tuple[int, int]] = {
            int(b): (int(n), int(s))
            for b, n, s in self._x(
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
            for r in self._x(
                f'SELECT id FROM "{table}" WHERE id >= ? AND id < ? ORDER BY id', (lo, hi)
            ).fetchall()
        ]
        return sorted(keys + self._skipped_keys(entity, lo, hi))

    def recount(self, entity: str) -> None:
        table = BY_NAME[entity].table
        self._begin()
        try:
            self._x(
                "UPDATE sync_table_state SET (row_count, key_sum) ="
                f' (SELECT count(*), coalesce(sum(id), 0) FROM "{table}") WHERE entity = ?',
                (entity,),
            )
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def digests(self, entity: str) -> tuple[array[int], array[int]]:
        keys: array[int] = array("q")
        values: array[int] = array("q")
        cur = self._x(
            "SELECT row_key, digest FROM sync_row_hash WHERE entity = ? ORDER BY row_key",
            (entity,),
        )
        while rows := cur.fetchmany(10_000):
            for k, d in rows:
                keys.append(k)
                values.append(d)
        return keys, values

    def recent(self, entity: str) -> dict[int, int]:
        rows = self._x(
            "SELECT row_key, digest FROM sync_recent_row WHERE entity = ?", (entity,)
        ).fetchall()
        return {k: d for k, d in rows}

    def replace_recent(
        self, entity: str, digests: Mapping[int, int], previous: Mapping[int, int] | None = None
    ) -> None:
        """Make the entity's recent rows ``digests``; with ``previous`` (what ``recent``
        returned), write only the difference."""
        self._begin()
        try:
            if previous is None:
                self._x("DELETE FROM sync_recent_row WHERE entity = ?", (entity,))
                changed = sorted(digests.items())
            else:
                gone = sorted(k for k in previous if k not in digests)
                self._conn.executemany(
                    "DELETE FROM sync_recent_row WHERE entity = ? AND row_key = ?",
                    [(entity, k) for k in gone],
                )
                changed = sorted((k, d) for k, d in digests.items() if previous.get(k) != d)
            self._conn.executemany(
                "INSERT OR REPLACE INTO sync_recent_row(entity, row_key, digest) VALUES (?, ?, ?)",
                [(entity, k, d) for k, d in changed],
            )
            self._commit()
        except BaseException:
            self._rollback()
            raise

    # --- the sync log ----------------------------------------------------------------------

    def start_run(self, kind: str, source: str, mapping: str) -> int:
        self._begin()
        try:
            cur = self._x(
                "INSERT INTO sync_run(started_at, kind, status, source, mapping, rows_read,"
                " rows_written, rows_deleted, rows_skipped) VALUES (?, ?, 'running', ?, ?,"
                " 0, 0, 0, 0)",
                (_now(), kind, source[:300], mapping[:64]),
            )
            run_id = int(cur.lastrowid)
            self._commit()
        except BaseException:
            self._rollback()
            raise
        return run_id

    def end_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        message: str | None,
        kind: str | None = None,
    ) -> None:
        self._rollback()
        self._begin()
        try:
            self._x(
                "UPDATE sync_run SET finished_at = ?, status = ?, rows_read = ?,"
                " rows_written = ?, rows_deleted = ?, rows_skipped = ?, message = ?,"
                " kind = coalesce(?, kind) WHERE id = ?",
                (
                    _now(),
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
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def checkpoint(self) -> None:
        """Housekeeping after the run's last commit, on the sync thread: merge the name
        index's segments (bounded, ``merge_names``), then fold the write-ahead log into the
        file now instead of at some window thread's next commit."""
        self._rollback()
        self.merge_names()
        self._x("PRAGMA wal_checkpoint(PASSIVE)")


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


class ShadowLoad:
    """``FullLoadWriter``: a full load into ``__new`` tables, swapped in by ``finish``."""

    COMMIT_EVERY_S = 3.0

    def __init__(self, store: SqliteCacheStore) -> None:
        self._store = store
        self._x = store._x
        self._conn = store._conn
        self._x("PRAGMA foreign_keys = OFF")
        # Checkpoints while loading, but fewer and larger ones (each one syncs the file).
        self._x("PRAGMA wal_autocheckpoint = 10000")
        self._totals: dict[str, tuple[int, int]] = {}
        self._recent: dict[str, dict[int, int]] = {}
        self._tables = [*_shop_tables(), *_BOOK]
        self._sql: dict[str, str] = {}
        self._last_commit = time.monotonic()
        store._begin()
        try:
            for table in self._tables:
                self._x(_renamed_ddl(self._ddl(table), table + NEW))
            fts = self._ddl(FTS, virtual=True)
            self._x(_renamed_ddl(fts, FTS + NEW))
            self._x(
                "INSERT OR REPLACE INTO cache_meta(key, value) VALUES (?, ?)",
                (FULL_LOAD_PENDING, _now()),
            )
            store._commit()
        except BaseException:
            store._rollback()
            raise
        store._begin()
        for e in ENTITIES:
            cols = ", ".join(f'"{c}"' for c in _layout(e))
            self._sql[e.name] = (
                f'INSERT INTO "{e.table}{NEW}" ({cols}) VALUES ({_marks(len(_layout(e)))})'
            )

    def _ddl(self, table: str, *, virtual: bool = False) -> str:
        row = self._x("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if row is None or not row[0]:
            raise CacheError(f"The cache has no table {table}; it was not migrated.")
        return str(row[0])

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit >= self.COMMIT_EVERY_S:
            self.commit()

    def insert(self, entity: str, rows: Sequence[CacheRow]) -> None:
        self._conn.executemany(self._sql[entity], rows)
        n, total = self._totals.get(entity, (0, 0))
        self._totals[entity] = (n + len(rows), total + sum(r[0] for r in rows))
        self._maybe_commit()

    def insert_names(self, rows: Sequence[tuple[int, str]]) -> None:
        self._conn.executemany(f'INSERT INTO "{FTS}{NEW}"(rowid, name) VALUES (?, ?)', rows)

    def insert_digests(self, entity: str, pairs: Sequence[tuple[int, int]]) -> None:
        self._conn.executemany(
            f'INSERT OR REPLACE INTO "sync_row_hash{NEW}"(entity, row_key, digest)'
            " VALUES (?, ?, ?)",
            [(entity, k, d) for k, d in pairs],
        )

    def add_issues(self, issues: Sequence[RowIssue], stamp: str | None = None) -> None:
        stamp = stamp or _now()
        self._conn.executemany(
            f'INSERT OR REPLACE INTO "sync_row_issue{NEW}"(entity, row_key, outcome,'
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
        self._store._commit()
        self._last_commit = time.monotonic()
        self._store._begin()

    def abort(self) -> None:
        """Stop: drop the shadows. A full load that was asked for is asked for again next time
        (the pending mark stays), whether it stopped here or by a kill."""
        self._store._rollback()
        self._x("PRAGMA wal_autocheckpoint = 0")
        self._store.recover()

    # --- finishing -------------------------------------------------------------------------

    def _sweep_orphans(self) -> dict[str, tuple[int, int]]:
        """Rows whose parent did not arrive: skipped (required link) or unlinked (optional).

        Runs once the indexes exist: the distinct parent ids of a child table come from its
        index on the link column, in order, so the check is a merge, not a lookup per row.
        Returns per entity the count and key sum of the rows deleted.
        """
        stamp = _now()
        removed: dict[str, tuple[int, int]] = {}
        for e in ENTITIES:
            for link in e.parents:
                parent = BY_NAME[link.entity].table + NEW
                child = e.table + NEW
                col = link.column
                missing = [
                    r[0]
                    for r in self._x(
                        f'SELECT c.v FROM (SELECT DISTINCT "{col}" AS v FROM "{child}"'
                        f' WHERE "{col}" IS NOT NULL) c WHERE NOT EXISTS'
                        f' (SELECT 1 FROM "{parent}" p WHERE p.id = c.v)'
                    ).fetchall()
                ]
                if not missing:
                    continue
                outcome, suffix = (SKIPPED, "") if link.required else (REPAIRED, "; unlinked")
                orphans: list[tuple[int, int]] = []
                for chunk in _chunks(missing):
                    orphans += self._x(
                        f'SELECT id, "{col}" FROM "{child}" WHERE "{col}" IN'
                        f" ({_marks(len(chunk))})",
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
                for chunk in _chunks(keys):
                    marks = _marks(len(chunk))
                    if link.required:
                        self._x(f'DELETE FROM "{child}" WHERE id IN ({marks})', tuple(chunk))
                    else:
                        self._x(
                            f'UPDATE "{child}" SET "{col}" = NULL WHERE id IN ({marks})',
                            tuple(chunk),
                        )
                if link.required:
                    n, total = removed.get(e.name, (0, 0))
                    removed[e.name] = (n + len(keys), total + sum(keys))
        return removed

    def finish(
        self, states: Sequence[TableState], meta: Mapping[str, str], progress: Progress
    ) -> dict[str, int]:
        store = self._store
        counts: dict[str, int] = {}
        indexes = _indexes()
        steps = len(indexes) + 3
        store._commit()
        # Free the index names on the live tables, then build the indexes on the shadows.
        self._x("PRAGMA threads = 4")  # sorting for CREATE INDEX on helper threads
        try:
            for step, (name, table, cols) in enumerate(indexes, start=1):
                progress("building indexes", step, steps)
                store._begin()
                self._x(f'DROP INDEX IF EXISTS "{name}"')
                self._x(_index_sql(name, table + NEW, cols, if_not_exists=False))
                store._commit()
        finally:
            self._x("PRAGMA threads = 0")
        progress("checking references", len(indexes) + 1, steps)
        store._begin()
        removed = self._sweep_orphans()
        store._commit()
        totals: dict[str, tuple[int, int]] = {}
        for e in ENTITIES:
            n, total = self._totals.get(e.name, (0, 0))
            gone_n, gone_sum = removed.get(e.name, (0, 0))
            totals[e.name] = (n - gone_n, total - gone_sum)
            counts[e.table] = n - gone_n
        counts["_orphans"] = sum(n for n, _ in removed.values())
        progress("switching to the new data", steps - 1, steps)
        self._x("PRAGMA legacy_alter_table = ON")
        store._begin()
        try:
            # Merges of the new name index happen after pulls, not in them (``_merge_later``).
            self._x(f'INSERT INTO "{FTS}{NEW}"("{FTS}{NEW}", rank) VALUES (\'automerge\', 0)')
            for table in [*self._tables, FTS]:
                self._x(f'ALTER TABLE "{table}" RENAME TO "{table}{OLD}"')
                self._x(f'ALTER TABLE "{table}{NEW}" RENAME TO "{table}"')
            self._x("DELETE FROM sync_table_state")
            self._x("DELETE FROM sync_recent_row")
            self._conn.executemany(
                "INSERT INTO sync_recent_row(entity, row_key, digest) VALUES (?, ?, ?)",
                [(e, k, d) for e, rows in self._recent.items() for k, d in sorted(rows.items())],
            )
            stamp = _now()
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
            self._conn.executemany(
                f"INSERT INTO sync_table_state({_STATE_COLUMNS}) VALUES ({_marks(9)})", rows
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO cache_meta(key, value) VALUES (?, ?)",
                sorted(meta.items()),
            )
            self._x("DELETE FROM cache_meta WHERE key = ?", (FULL_LOAD_PENDING,))
            store._commit()
        except BaseException:
            store._rollback()
            raise
        finally:
            self._x("PRAGMA legacy_alter_table = OFF")
        progress("tidying up", steps, steps)
        for table in [*self._tables, FTS]:
            store._begin()
            self._x(f'DROP TABLE IF EXISTS "{table}{OLD}"')
            store._commit()
        self._x("PRAGMA wal_autocheckpoint = 0")
        self._x("PRAGMA foreign_keys = ON")
        self._x("PRAGMA optimize")
        return counts


_CREATE = re.compile(r'^(CREATE\s+(?:VIRTUAL\s+)?TABLE\s+)("?)([A-Za-z0-9_]+)\2', re.IGNORECASE)


def _renamed_ddl(ddl: str, new_name: str) -> str:
    """The CREATE statement of a table, for a table of another name (same columns, keys,
    constraints; foreign keys still naming the live tables)."""
    if not _CREATE.match(ddl):
        raise CacheError("Unexpected table definition in the cache; cannot make a shadow copy.")
    return _CREATE.sub(lambda m: f'{m.group(1)}"{new_name}"', ddl, count=1)
