"""Push: outbox items into the shop, each exactly once, never over a change the rep did not see.

A batch (up to 500 items, oldest first) is one shop transaction on one connection:

1. the batch's idempotency keys are looked up in ``csconsole_applied``: a key found there was
   applied (or refused) by an earlier run that died before the cache heard of it, so its
   recorded outcome is taken, nothing is written again;
2. the rows the other items touch are read and locked (``SELECT ... FOR UPDATE``; on SQLite
   the transaction starts with ``BEGIN IMMEDIATE``, which locks the file for writers);
3. the items are played in order against those rows in memory: a field that no longer holds
   the value the rep saw makes the item a conflict; a row that is gone, ``missing``;
4. the surviving changes are written with one ``executemany`` per statement shape, the
   change column set to now (so incremental pulls see them), and each item's key and outcome
   inserted into ``csconsole_applied``;
5. commit; then the outcomes are recorded in the cache (``OutboxQueue.record``).

A kill before 5's shop commit loses the shop transaction (nothing applied, the items are still
pending); a kill after it leaves keys in ``csconsole_applied`` that the next run finds in step 1.
Transient errors (connection, deadlock, busy) retry the batch with backoff; other errors retry
each item alone so one bad item cannot hold up the rest, and it ends ``failed`` for a person.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, func, select, update

from csconsole.services.checkpoints import checkpoint
from csconsole.services.outbox import (
    SHOP_KINDS,
    ItemResult,
    OutboxQueue,
    PendingItem,
    PushOutcome,
    PushReport,
)
from csconsole.services.ports import Clock, DetailValue
from csconsole.sync.retry import RaceDetected, delays, describe, is_transient
from csconsole.sync.shop.applied_table import applied, ensure_applied_table, shop_key
from csconsole.sync.shop.targets import Target, write_target
from csconsole.sync.shop.values import python_type, same, to_column, to_json

BATCH = 500
_CHUNK = 500  # keys per IN (...) list

TargetLookup = Callable[[str], Target | None]


class ItemRefused(Exception):
    """An item that cannot be applied whatever the shop holds (names only, no values)."""


@dataclass
class _Row:
    values: dict[str, Any]
    dirty: set[str] = field(default_factory=set)


@dataclass
class _Batch:
    """One batch played in memory against the locked rows."""

    rows: dict[tuple[str, Any], _Row | None] = field(default_factory=dict)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: list[ItemResult] = field(default_factory=list)
    fresh: list[tuple[str, str, PushOutcome]] = field(default_factory=list)  # key, kind, outcome


class ShopPusher:
    """Pushes the outbox's shop items (corrections, opt-outs, erasures, account flags)."""

    def __init__(
        self,
        engine: Engine,
        *,
        workstation: str,
        clock: Clock,
        targets: TargetLookup | None = None,
        batch_size: int = BATCH,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._engine = engine
        self._workstation = workstation[:100]
        self._clock = clock
        self._targets = targets or write_target(None)
        self._batch_size = batch_size
        self._attempts = attempts
        self._sleep = sleep
        self._tables: dict[str, Table] = {}
        self._metadata = MetaData()
        self._ready = False

    # -- the run ---------------------------------------------------------------------------

    def push(
        self, queue: OutboxQueue, *, cancelled: Callable[[], bool] | None = None
    ) -> PushReport:
        report = PushReport()
        origin = queue.origin()
        while not (cancelled and cancelled()):
            batch = queue.pending(SHOP_KINDS, self._batch_size)
            if not batch:
                break
            part = self._push_batch(queue, origin, batch)
            report.add(part)
            if part.error:
                break
        report.remaining = queue.counts(SHOP_KINDS).get("pending", 0)
        return report

    def _push_batch(
        self, queue: OutboxQueue, origin: str, batch: Sequence[PendingItem]
    ) -> PushReport:
        report = PushReport()
        waits = delays(self._attempts)
        while True:
            try:
                results, seen = self._in_transaction(origin, batch)
                break
            except Exception as error:
                if not is_transient(error):
                    results, seen = self._one_by_one(origin, batch)
                    break
                wait = next(waits, None)
                if wait is None:
                    reason = describe(error)
                    queue.record_attempt([p.outbox_id for p in batch], reason)
                    report.error = f"the shop database did not accept the push: {reason}"
                    return report
                report.retries += 1
                self._sleep(wait)
        queue.record(results, self._clock.now())
        for r in results:
            if r.outbox_id in seen:
                report.already_applied += 1
            elif r.outcome is PushOutcome.APPLIED:
                report.applied += 1
            elif r.outcome is PushOutcome.FAILED:
                report.failed += 1
            else:
                report.conflicts += 1
        return report

    def _one_by_one(
        self, origin: str, batch: Sequence[PendingItem]
    ) -> tuple[list[ItemResult], set[int]]:
        """After a non-transient error: each item in its own transaction, so only the item
        that causes it fails (recorded in the shop too, so it is not retried)."""
        results: list[ItemResult] = []
        seen: set[int] = set()
        for pending in batch:
            try:
                one, one_seen = self._in_transaction(origin, [pending])
            except Exception as error:
                if is_transient(error):
                    raise
                one = [ItemResult(pending.outbox_id, PushOutcome.FAILED, reason=describe(error))]
                one_seen = set()
                self._record_failure(origin, pending, describe(error))
            results.extend(one)
            seen |= one_seen
        return results, seen

    def _record_failure(self, origin: str, pending: PendingItem, reason: str) -> None:
        with self._engine.connect() as conn, conn.begin():
            key = shop_key(origin, pending.item.idempotency_key)
            found = conn.execute(
                select(applied.c.outcome).where(applied.c.idempotency_key == key)
            ).first()
            if found is None:
                conn.execute(
                    applied.insert(), [self._applied_row(key, pending, PushOutcome.FAILED)]
                )

    def _applied_row(self, key: str, pending: PendingItem, outcome: PushOutcome) -> dict[str, Any]:
        return {
            "idempotency_key": key,
            "applied_at": self._clock.now().astimezone(UTC).replace(tzinfo=None),
            "outcome": outcome.value,
            "kind": pending.item.kind[:16],
            "origin": self._workstation,
        }

    # -- one shop transaction ----------------------------------------------------------------

    def _in_transaction(
        self, origin: str, batch: Sequence[PendingItem]
    ) -> tuple[list[ItemResult], set[int]]:
        with self._engine.connect() as conn:
            if not self._ready:
                ensure_applied_table(conn)
                self._ready = True
            with conn.begin():
                _begin_immediate(conn)
                keys = {shop_key(origin, p.item.idempotency_key): p for p in batch}
                seen = self._seen(conn, list(keys))
                plan = _Batch()
                self._lock_rows(conn, [p for k, p in keys.items() if k not in seen], plan)
                for key, pending in keys.items():
                    if key in seen:
                        plan.results.append(self._earlier(pending, seen[key], plan))
                    else:
                        result = self._play(conn, pending, plan)
                        plan.results.append(result)
                        plan.fresh.append((key, pending.item.kind, result.outcome))
                self._write(conn, plan, {k: p for k, p in keys.items() if k not in seen})
                checkpoint("push.before_shop_commit")
            checkpoint("push.after_shop_commit")
        return plan.results, {keys[k].outbox_id for k in seen}

    def _seen(self, conn: Connection, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            rows = conn.execute(
                select(applied.c.idempotency_key, applied.c.outcome).where(
                    applied.c.idempotency_key.in_(chunk)
                )
            )
            found.update({str(k): str(o) for k, o in rows})
        return found

    def _earlier(self, pending: PendingItem, outcome: str, plan: _Batch) -> ItemResult:
        """An item the shop saw in an earlier run: take the outcome it recorded then."""
        done = PushOutcome(outcome)
        values: dict[str, DetailValue] = {}
        if done is PushOutcome.CONFLICT:
            values = self._shop_values(pending, plan) or {}
        return ItemResult(pending.outbox_id, done, values, reason="recorded by an earlier push")

    def _table(self, conn: Connection, name: str) -> Table:
        table = self._tables.get(name)
        if table is None:
            table = Table(name, self._metadata, autoload_with=conn)
            self._tables[name] = table
        return table

    def _target(self, entity: str) -> Target:
        target = self._targets(entity)
        if target is None:
            raise ItemRefused(f"the shop mapping has no table for entity {entity!r}")
        return target

    def _lock_rows(self, conn: Connection, items: Sequence[PendingItem], plan: _Batch) -> None:
        """Read and lock every row the batch updates, one query per table and chunk."""
        wanted: dict[str, set[Any]] = {}
        for p in items:
            try:
                target = self._target(p.item.entity)
                if target.insert_only:
                    continue
                table = self._table(conn, target.table)
                wanted.setdefault(p.item.entity, set()).add(_key(table, target, p.item.entity_key))
            except (ItemRefused, ValueError, LookupError):
                continue  # refused again, with its reason, when played
        for entity, keys in wanted.items():
            target = self._target(entity)
            table = self._table(conn, target.table)
            columns = [table.c[c] for c in target.columns.values() if c in table.c]
            key_col = table.c[target.key_column]
            ordered = sorted(keys)
            for i in range(0, len(ordered), _CHUNK):
                chunk = ordered[i : i + _CHUNK]
                query = select(key_col, *columns).where(key_col.in_(chunk)).with_for_update()
                for row in conn.execute(query):
                    values = dict(row._mapping)
                    plan.rows[(entity, values.pop(target.key_column))] = _Row(values)
            for key in ordered:
                plan.rows.setdefault((entity, key), None)

    def _shop_values(self, pending: PendingItem, plan: _Batch) -> dict[str, DetailValue] | None:
        try:
            target = self._target(pending.item.entity)
            table = self._tables[target.table]
            row = plan.rows.get((pending.item.entity, _key(table, target, pending.item.entity_key)))
        except (ItemRefused, ValueError, LookupError):
            return None
        if row is None:
            return None
        fields = set(pending.item.expected) | set(pending.item.changes)
        return {
            f: to_json(row.values.get(target.columns[f]))
            for f in sorted(fields)
            if f in target.columns
        }

    def _play(self, conn: Connection, pending: PendingItem, plan: _Batch) -> ItemResult:
        item = pending.item
        try:
            target = self._target(item.entity)
            table = self._table(conn, target.table)
            columns = _columns(table, target, set(item.changes) | set(item.expected))
            if target.insert_only:
                values = {
                    columns[f]: _convert(table, columns[f], v) for f, v in item.changes.items()
                }
                plan.inserts.setdefault(item.entity, []).append(values)
                return ItemResult(pending.outbox_id, PushOutcome.APPLIED)
            if not item.changes:
                raise ItemRefused("an update without changes")
            row = plan.rows.get((item.entity, _key(table, target, item.entity_key)))
            if row is None:
                return ItemResult(pending.outbox_id, PushOutcome.MISSING, reason="row not in shop")
            stale = [f for f, v in item.expected.items() if not same(row.values[columns[f]], v)]
            if stale:
                held = self._shop_values(pending, plan) or {}
                reason = "changed in the shop: " + ", ".join(sorted(stale))
                return ItemResult(pending.outbox_id, PushOutcome.CONFLICT, held, reason=reason)
            new = {columns[f]: _convert(table, columns[f], v) for f, v in item.changes.items()}
            row.values.update(new)
            row.dirty.update(new)
            return ItemResult(pending.outbox_id, PushOutcome.APPLIED)
        except (ItemRefused, ValueError, LookupError) as refused:
            return ItemResult(pending.outbox_id, PushOutcome.FAILED, reason=_reason(refused))

    def _write(self, conn: Connection, plan: _Batch, fresh: dict[str, PendingItem]) -> None:
        now = self._clock.now().astimezone(UTC).replace(tzinfo=None)
        shapes: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        for (entity, key), row in plan.rows.items():
            if row is None or not row.dirty:
                continue
            cols = tuple(sorted(row.dirty))
            bound = {"k_": key} | {f"v{i}": row.values[c] for i, c in enumerate(cols)}
            shapes.setdefault((entity, cols), []).append(bound)
        for (entity, cols), params in shapes.items():
            target = self._target(entity)
            table = self._tables[target.table]
            values: dict[Any, Any] = {table.c[c]: bindparam(f"v{i}") for i, c in enumerate(cols)}
            if target.change_column and target.change_column in table.c:
                values[table.c[target.change_column]] = now
            stmt = update(table).where(table.c[target.key_column] == bindparam("k_")).values(values)
            done = conn.execute(stmt, params).rowcount
            if done != len(params):
                raise RaceDetected(f"{target.table}: {done} of {len(params)} rows updated")
        for entity, rows in plan.inserts.items():
            self._insert(conn, self._target(entity), rows, now)
        if plan.fresh:
            conn.execute(
                applied.insert(),
                [self._applied_row(k, fresh[k], outcome) for k, _, outcome in plan.fresh],
            )

    def _insert(
        self, conn: Connection, target: Target, rows: list[dict[str, Any]], now: datetime
    ) -> None:
        table = self._tables[target.table]
        key_col = table.c[target.key_column]
        assigns_key = conn.dialect.name == "sqlite" or _generated(key_col)
        next_key = 0
        if not assigns_key:
            next_key = int(conn.execute(select(func.coalesce(func.max(key_col), 0))).scalar_one())
        batch = []
        for values in rows:
            full = dict(target.constants) | values
            if target.change_column and target.change_column in table.c:
                full[target.change_column] = now
            if not assigns_key:
                next_key += 1
                full[target.key_column] = next_key
            batch.append(full)
        conn.execute(table.insert(), batch)


def _begin_immediate(conn: Connection) -> None:
    """SQLite has no ``FOR UPDATE``: take the write lock before reading what is compared."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _key(table: Table, target: Target, entity_key: str) -> Any:
    column = table.c[target.key_column]
    if python_type(column.type) is int:
        try:
            return int(entity_key)
        except ValueError:
            raise ItemRefused(f"entity_key of {target.table} is not a number") from None
    return entity_key


def _columns(table: Table, target: Target, fields: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in fields:
        column = target.column(name)
        if column is None:
            raise ItemRefused(f"the mapping has no field {name!r} for {target.table}")
        if column not in table.c:
            raise ItemRefused(f"the shop table {target.table} has no column {column!r}")
        out[name] = column
    return out


def _convert(table: Table, column: str, value: DetailValue) -> object:
    try:
        return to_column(value, table.c[column].type)
    except (TypeError, ValueError):
        raise ItemRefused(f"value for {table.name}.{column} has the wrong type") from None


def _generated(column: Any) -> bool:
    return column.server_default is not None or getattr(column, "identity", None) is not None


def _reason(error: BaseException) -> str:
    return str(error) if isinstance(error, ItemRefused) else type(error).__name__
