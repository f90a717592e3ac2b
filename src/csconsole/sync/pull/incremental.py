"""Incremental pull: what changed since the last pull, and what was deleted.

Per table with a change column: rows with ``change >= watermark - overlap``, in (change, key)
order; each batch is applied and the watermark moved to its last (change, key) in the same
cache transaction, so a pull stopped anywhere resumes there. The overlap window reads again
the rows of transactions that committed late. Rows whose change column is NULL are read on
every pull (nothing says whether they changed); the cache apply skips unchanged rows.

Per table without one: the shop's rows are read in key order and their digests merged with the
stored ones: new, changed and vanished keys come out of one pass.

Deletes in change-column tables: the shop's key count and key sum are compared with the
cache's (kept exact by every apply); only when they differ are keys compared, bucket by bucket
(``key_sets``). Rows skipped earlier (missing parent, bad value) are read again each pull.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from csconsole.sync.errors import FullLoadNeeded
from csconsole.sync.pull import watermarks
from csconsole.sync.pull.cache_port import SKIPPED, ApplyBatch, TableState
from csconsole.sync.pull.common import Converted, PullContext, PullReport, convert_batch, snapshot
from csconsole.sync.pull.full import META_DIGEST, META_PENDING, META_SOURCE
from csconsole.sync.pull.key_sets import reconcile
from csconsole.sync.pull.pipeline import Pipeline
from csconsole.sync.pull.row_convert import RowConverter, RowProblem, row_hash
from csconsole.sync.shop.cache_model import ENTITIES
from csconsole.sync.shop.mapping import TableRule
from csconsole.sync.shop.queries import ShopQueries, stream

RETRY_ISSUES_MAX = 10_000
QUEUE_BATCHES = 64
FOLLOW_CHUNK = 1000  # keys per query of rows that follow a changed joined row
GROUP_ROWS = 50_000  # at most this many changed rows in one cache transaction


def needs_full_load(ctx: PullContext) -> str | None:
    """Why an incremental pull cannot run, or None."""
    meta = ctx.cache.meta()
    states = ctx.cache.states()
    if META_DIGEST not in meta:
        return "the cache was never loaded from the shop"
    if META_PENDING in meta:
        return "the last full load did not finish"
    if meta.get(META_DIGEST) != ctx.mapping.digest:
        return "the mapping changed since the last full load"
    if meta.get(META_SOURCE) != ctx.source:
        return "the shop database changed since the last full load"
    for rule in ctx.mapping.tables:
        state = states.get(rule.entity)
        if state is None or state.source_table != rule.table:
            return f"the cache holds no state for {rule.entity}"
    return None


def _changes(
    ctx: PullContext,
    conn: Any,
    rule: TableRule,
    q: ShopQueries,
    state: TableState,
    seen: dict[int, int],
    changed: dict[str, set[int]] | None = None,
) -> Iterator[Converted | tuple[str, str, dict[int, int]]]:
    """The rows changed since the watermark (minus the overlap window), then ("recent", entity,
    digests of the rows read inside the new overlap window). A row whose digest is in ``seen``
    (read by an earlier pull, unchanged since) is passed over without reading the cache."""
    conv = ctx.converter(rule, q)
    start = watermarks.decode(state.watermark)
    since = watermarks.shift_back(start, rule.change.overlap_seconds)
    params: dict[str, Any] = {}
    if since is not None:
        params["since"] = since
    change_at = conv.change_index
    assert change_at is not None
    read: list[tuple[Any, Any, int]] = []

    mine = changed.setdefault(rule.entity, set()) if changed is not None else set()

    def fresh(raw_rows: Sequence[Sequence[Any]]) -> Converted:
        todo = []
        for raw in raw_rows:
            digest = row_hash(raw)
            key = raw[conv.key_index]
            read.append((key, raw[change_at], digest))
            if seen.get(key) != digest:
                todo.append(raw)
                mine.add(key)
        batch = convert_batch(conv, todo)
        batch.read = len(raw_rows)
        batch.seen = len(raw_rows) - len(todo)
        if raw_rows:
            try:
                batch.last = (raw_rows[-1][change_at], conv.key(raw_rows[-1]))
            except RowProblem:
                batch.last = None
        return batch

    stmt = q.changed_rows(since=since is not None, after=False)
    top: Any = None
    for raw in stream(conn, stmt, params, ctx.batch_rows):
        top = raw[-1][change_at]
        yield fresh(raw)
    if q.change_nullable:
        for raw in stream(conn, q.rows_without_change(), {}, ctx.batch_rows):
            batch = fresh(raw)
            batch.last = None
            yield batch
    for join in rule.joins:
        followed = sorted(changed.get(join.follows, ())) if changed and join.follows else []
        # Rows whose joined row changed (their own change column did not move): read again,
        # without moving the watermark.
        for i in range(0, len(followed), FOLLOW_CHUNK):
            keys = followed[i : i + FOLLOW_CHUNK]
            for raw in stream(conn, q.rows_following(join), {"keys": keys}, ctx.batch_rows):
                batch = fresh(raw)
                batch.last = None
                yield batch
    threshold = watermarks.shift_back(
        top if top is not None else start, rule.change.overlap_seconds
    )
    yield ("recent", rule.entity, _window(read, threshold))


def _window(read: list[tuple[Any, Any, int]], threshold: Any) -> dict[int, int]:
    """The digests of the rows read whose change value is inside the overlap window."""
    out: dict[int, int] = {}
    for key, change, digest in read:
        if type(key) is not int:
            continue
        try:
            inside = change is None or threshold is None or change >= threshold
        except TypeError:  # SQLite: a value of another type in the change column
            inside = True
        if inside:
            out[key] = digest
    return out


def _merge(
    ctx: PullContext,
    conn: Any,
    rule: TableRule,
    q: ShopQueries,
    stored: tuple[array[int], array[int]],
) -> Iterator[Converted | tuple[str, str, list[int]]]:
    """Row-hash table: shop rows in key order against the stored (key, digest) pairs."""
    conv: RowConverter = ctx.converter(rule, q)
    keys, digests = stored
    j = 0
    n = len(keys)
    for raw_rows in stream(conn, q.all_rows(), {}, ctx.batch_rows):
        changed: list[Sequence[Any]] = []
        gone: list[int] = []
        for raw in raw_rows:
            try:
                key = conv.key(raw)
            except RowProblem:
                continue  # no usable key: nothing to compare or record it by
            while j < n and keys[j] < key:
                gone.append(keys[j])
                j += 1
            if j < n and keys[j] == key:
                j += 1
                if digests[j - 1] == row_hash(raw):
                    continue
            changed.append(raw)
        batch = convert_batch(conv, changed, digests=True)
        batch.read = len(raw_rows)
        yield batch
        if gone:
            yield ("deletes", rule.entity, gone)
    if j < n:
        yield ("deletes", rule.entity, list(keys[j:]))


def incremental(ctx: PullContext) -> PullReport:
    why = needs_full_load(ctx)
    if why:
        raise FullLoadNeeded(f"A full load is needed: {why}.")
    started = time.perf_counter()
    report = PullReport("incremental", source=ctx.source)
    states = ctx.cache.states()
    plans = [(rule, ctx.queries(rule)) for rule in ctx.mapping.tables]
    stored = {
        rule.entity: ctx.cache.digests(rule.entity) for rule, _ in plans if rule.change.row_hash
    }
    seen = {
        rule.entity: ctx.cache.recent(rule.entity) for rule, _ in plans if not rule.change.row_hash
    }

    changed: dict[str, set[int]] = {}  # keys of rows changed in this pull, per entity

    def produce() -> Iterator[Any]:
        # One read snapshot: the key totals describe exactly the rows the changes came from.
        with ctx.engine.connect() as raw_conn:
            conn = snapshot(raw_conn, serial=True)
            for rule, q in plans:
                if rule.change.row_hash:
                    yield from _merge(ctx, conn, rule, q, stored[rule.entity])
                else:
                    yield from _changes(
                        ctx, conn, rule, q, states[rule.entity], seen[rule.entity], changed
                    )
                yield ("table-done", rule.entity, None)
            for rule, q in plans:
                if not rule.change.row_hash:
                    n, s, top = conn.execute(q.totals()).one()
                    yield ("totals", rule.entity, (int(n), int(s or 0), int(top or 0)))

    shop_totals: dict[str, tuple[int, int, int]] = {}
    read = 0
    # Deep enough that the reader reaches the key totals while the writer is still applying
    # (a small pull never waits for them); a large one is still bounded.
    with Pipeline(produce, depth=QUEUE_BATCHES) as pipe:
        stream = pipe.items(ctx.cancelled)
        held: list[Any] = []
        while (item := held.pop() if held else next(stream, None)) is not None:
            if isinstance(item, tuple):
                kind, entity, payload = item
                if kind == "deletes":
                    _apply(ctx, report, ApplyBatch(entity, deletes=payload))
                elif kind == "recent":
                    ctx.cache.replace_recent(entity, payload, seen[entity])
                elif kind == "totals":
                    shop_totals[entity] = payload
                continue
            # Batches of the same table that are already waiting go into one transaction:
            # fewer commits, and a page two batches share is written once.
            group = [item]
            rows = len(item.rows)
            while rows < GROUP_ROWS and pipe.ready():
                more = next(stream, None)
                if isinstance(more, Converted) and more.entity == item.entity:
                    group.append(more)
                    rows += len(more.rows)
                    continue
                if more is not None:
                    held.append(more)
                break
            batch = _combine(group)
            read += batch.read
            _apply_converted(ctx, report, batch)
            ctx.progress(f"pulling {batch.entity.replace('_', ' ')}", read, 0)
    _deletes(ctx, report, plans, shop_totals)
    _retry_skipped(ctx, report, plans)
    report.seconds = time.perf_counter() - started
    return report


def _combine(group: list[Converted]) -> Converted:
    """Consecutive batches of one table, read in (change, key) order, as one batch: the
    watermark is the last batch's that has one (rows without a change value come last and
    keep it). A key read twice keeps its last row."""
    if len(group) == 1:
        return group[0]
    out = Converted(group[0].entity, 0)
    rows: dict[int, Any] = {}
    for batch in group:
        out.read += batch.read
        out.seen += batch.seen
        out.unkeyed += batch.unkeyed
        rows.update((row[0], row) for row in batch.rows)
        out.digests.update(batch.digests)
        out.issues += batch.issues
        out.clean += batch.clean
        if batch.last is not None:
            out.last = batch.last
    out.rows = list(rows.values())
    return out


def _apply_converted(ctx: PullContext, report: PullReport, batch: Converted) -> None:
    rule = ctx.mapping.table(batch.entity)
    assert rule is not None
    mark = None
    if batch.last is not None:
        mark = (watermarks.encode(batch.last[0]), batch.last[1])
    apply = ApplyBatch(
        batch.entity,
        upserts=batch.rows,
        digests=batch.digests,
        issues=batch.issues,
        cleared=batch.clean,
        watermark=mark,
        source_table=rule.table,
    )
    report.note_issues(batch.issues)
    counts = report.table(batch.entity)
    counts.read += batch.read
    counts.unchanged += batch.seen
    counts.skipped += sum(1 for i in batch.issues if i.outcome == SKIPPED) + batch.unkeyed
    counts.repaired += sum(1 for i in batch.issues if i.outcome != SKIPPED)
    if apply.upserts or apply.issues or mark is not None or apply.cleared:
        _apply(ctx, report, apply)


def _apply(ctx: PullContext, report: PullReport, batch: ApplyBatch) -> None:
    result = ctx.cache.apply(batch)
    counts = report.table(batch.entity)
    counts.written += result.inserted + result.updated
    counts.unchanged += result.unchanged
    counts.deleted += result.deleted
    counts.skipped += result.skipped


def _fetch(
    ctx: PullContext, rule: TableRule, q: ShopQueries, keys: list[int]
) -> Iterator[Converted]:
    conv = ctx.converter(rule, q)
    with ctx.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            for rows in stream(conn, q.rows_by_key(), {"keys": chunk}, ctx.batch_rows):
                batch = convert_batch(conv, rows, digests=rule.change.row_hash)
                batch.last = None
                yield batch


def _retry_skipped(
    ctx: PullContext, report: PullReport, plans: list[tuple[TableRule, ShopQueries]]
) -> None:
    """Rows with an issue (a parent that had not arrived, a value since fixed) are read again."""
    for rule, q in plans:
        keys = ctx.cache.issue_keys(rule.entity, RETRY_ISSUES_MAX)
        for batch in _fetch(ctx, rule, q, keys):
            _apply_converted(ctx, report, batch)


def _deletes(
    ctx: PullContext,
    report: PullReport,
    plans: list[tuple[TableRule, ShopQueries]],
    shop_totals: dict[str, tuple[int, int, int]],
) -> None:
    by_entity = {rule.entity: (rule, q) for rule, q in plans}
    states = ctx.cache.states()
    missing_rows: dict[str, list[int]] = {}
    for entity in reversed([e.name for e in ENTITIES]):
        if entity not in shop_totals:
            continue
        rule, q = by_entity[entity]
        count, total, top = shop_totals[entity]
        state = states[entity]
        skipped_n, skipped_sum = ctx.cache.skipped_totals(entity)
        if (count, total) == (state.row_count + skipped_n, state.key_sum + skipped_sum):
            continue
        with ctx.engine.connect() as conn:
            gone, missing = reconcile(conn, q, ctx.cache, entity, top)
        if gone:
            _apply(ctx, report, ApplyBatch(entity, deletes=gone))
        if missing:
            missing_rows[entity] = missing
        ctx.cache.recount(entity)
    for entity in [e.name for e in ENTITIES]:
        keys = missing_rows.get(entity)
        if not keys:
            continue
        rule, q = by_entity[entity]
        for batch in _fetch(ctx, rule, q, keys):
            _apply_converted(ctx, report, batch)
        ctx.cache.recount(entity)
