"""Incremental apply: a batch of a pull's rows compared with what the cache holds, so only new
rows are inserted and only changed columns updated, in one transaction per batch.

Updates are grouped into one prepared ``executemany`` per set of changed columns, so an index is
touched only when its column changed. The name index is kept by ``INSERT OR REPLACE`` of just the
customers whose name changed, no triggers, and never merges its segments inside a pull
(``NameIndexMerges``). Deletes remove children explicitly before parents, so the per-table key
totals stay exact.
"""

# ruff: noqa: S608 - every name put into SQL here is a constant (cache_model, the ORM), never input

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.layout import (
    NAME_INDEX,
    chunks,
    placeholders,
    row_layout,
)
from csconsole.persistence.cache.store.name_index import NameIndexMerges
from csconsole.sync.pull.cache_port import (
    REPAIRED,
    SKIPPED,
    ApplyBatch,
    ApplyResult,
    CacheRow,
    RowIssue,
)
from csconsole.sync.shop.cache_model import BY_NAME, ENTITIES, Entity, name_text


class IncrementalApply:
    def __init__(
        self, connection: CacheConnection, names: NameIndexMerges, stamp: Callable[[], str]
    ) -> None:
        self._db = connection
        self._names = names
        self._stamp = stamp  # "now" as the cache stores it
        self._children: dict[str, list[tuple[Entity, str, bool]]] = defaultdict(list)
        for e in ENTITIES:
            for link in e.parents:
                self._children[link.entity].append((e, link.column, link.required))

    def apply(self, batch: ApplyBatch) -> ApplyResult:
        entity = BY_NAME[batch.entity]
        result = ApplyResult()
        with self._db.transaction():
            rows, issues = self._parents(entity, batch.upserts)
            keys_ok = {r[0] for r in rows}
            gone = set(batch.deletes)
            cleared = [k for k in batch.cleared if k in keys_ok or k in gone]
            for chunk in chunks(cleared):
                self._db.execute(
                    f"DELETE FROM sync_row_issue WHERE entity = ? AND row_key IN"
                    f" ({placeholders(len(chunk))})",
                    (entity.name, *chunk),
                )
            self._upsert(entity, rows, result)
            if batch.deletes:
                self._delete(entity, batch.deletes, result)
            if batch.digests:
                pairs = [(entity.name, k, d) for k, d in batch.digests.items() if k in keys_ok]
                self._db.executemany(
                    "INSERT OR REPLACE INTO sync_row_hash(entity, row_key, digest)"
                    " VALUES (?, ?, ?)",
                    pairs,
                )
            all_issues = [*batch.issues, *issues]
            result.skipped += sum(1 for i in issues if i.outcome == SKIPPED)
            self._issues(all_issues)
            stamp = self._stamp()
            if batch.watermark is not None:
                self._db.execute(
                    "UPDATE sync_table_state SET watermark = ?, watermark_key = ?, pulled_at = ?"
                    " WHERE entity = ?",
                    (*batch.watermark, stamp, entity.name),
                )
            else:
                self._db.execute(
                    "UPDATE sync_table_state SET pulled_at = ? WHERE entity = ?",
                    (stamp, entity.name),
                )
        return result

    def _present(self, table: str, keys: Iterable[int]) -> set[int]:
        found: set[int] = set()
        ordered = sorted(keys)
        for chunk in chunks(ordered):
            rows = self._db.execute(
                f'SELECT id FROM "{table}" WHERE id IN ({placeholders(len(chunk))})', tuple(chunk)
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def _parents(
        self, entity: Entity, rows: Sequence[CacheRow]
    ) -> tuple[list[CacheRow], list[RowIssue]]:
        """Rows whose parents are in the cache; the others skipped (or unlinked if optional)."""
        if not entity.parents or not rows:
            return list(rows), []
        layout = row_layout(entity)
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
        cols = ", ".join(f'"{c}"' for c in row_layout(entity))
        found: dict[int, CacheRow] = {}
        for chunk in chunks(sorted(keys)):
            rows = self._db.execute(
                f'SELECT {cols} FROM "{entity.table}" WHERE id IN ({placeholders(len(chunk))})',
                tuple(chunk),
            ).fetchall()
            found.update((r[0], tuple(r)) for r in rows)
        return found

    def _upsert(self, entity: Entity, rows: Sequence[CacheRow], result: ApplyResult) -> None:
        if not rows:
            return
        layout = row_layout(entity)
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
            self._db.executemany(
                f'INSERT INTO "{entity.table}" ({cols}) VALUES ({placeholders(width)})', inserts
            )
            keys = [r[0] for r in inserts]
            self._db.execute(
                "UPDATE sync_table_state SET row_count = row_count + ?, key_sum = key_sum + ?"
                " WHERE entity = ?",
                (len(keys), sum(keys), entity.name),
            )
        for changed, params in groups.items():
            sets = ", ".join(f'"{layout[i]}" = ?' for i in changed)
            params.sort(key=lambda p: p[-1])  # in key order: neighbouring rows share pages
            self._db.executemany(f'UPDATE "{entity.table}" SET {sets} WHERE id = ?', params)
        if names:
            names.sort()
            self._names.merge_later()
            self._db.executemany(
                f"INSERT OR REPLACE INTO {NAME_INDEX}(rowid, name) VALUES (?, ?)", names
            )
        result.inserted += len(inserts)
        result.updated += sum(len(p) for p in groups.values())

    def _delete(self, entity: Entity, keys: Sequence[int], result: ApplyResult) -> None:
        """Delete rows and, first, their children (so every table's totals stay exact)."""
        present = sorted(self._present(entity.table, keys))
        for child, column, required in self._children[entity.name]:
            for chunk in chunks(present):
                marks = placeholders(len(chunk))
                if required:
                    rows = self._db.execute(
                        f'SELECT id FROM "{child.table}" WHERE "{column}" IN ({marks})', chunk
                    ).fetchall()
                    if rows:
                        self._delete(child, [r[0] for r in rows], result)
                else:
                    self._db.execute(
                        f'UPDATE "{child.table}" SET "{column}" = NULL WHERE "{column}" IN'
                        f" ({marks})",
                        chunk,
                    )
        for chunk in chunks(present):
            marks = placeholders(len(chunk))
            self._db.execute(f'DELETE FROM "{entity.table}" WHERE id IN ({marks})', chunk)
            self._db.execute(
                f"DELETE FROM sync_row_hash WHERE entity = ? AND row_key IN ({marks})",
                (entity.name, *chunk),
            )
            if entity.name_index:
                self._names.merge_later()
                self._db.execute(f"DELETE FROM {NAME_INDEX} WHERE rowid IN ({marks})", chunk)
        for chunk in chunks(list(keys)):
            self._db.execute(
                f"DELETE FROM sync_row_issue WHERE entity = ? AND row_key IN"
                f" ({placeholders(len(chunk))})",
                (entity.name, *chunk),
            )
        if present:
            self._db.execute(
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
        stamp = self._stamp()
        self._db.executemany(
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
