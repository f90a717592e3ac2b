"""Full load: every mapped table streamed in key order from one read snapshot of the shop.

A reader thread reads and converts; the calling thread writes into the cache's shadow tables
(``CacheStore.begin_full_load``), without secondary indexes; indexes and the name index exist
before the swap, and the swap is one short transaction. A cancelled, failed or killed load
leaves the cache as it was.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csconsole.sync.pull import watermarks
from csconsole.sync.pull.cache_port import FULL_LOAD_PENDING, SKIPPED, TableState
from csconsole.sync.pull.common import Converted, PullContext, PullReport, convert_batch, snapshot
from csconsole.sync.pull.pipeline import Cancelled, Pipeline
from csconsole.sync.shop.cache_model import ENTITIES
from csconsole.sync.shop.queries import stream

META_MAPPING = "shop_mapping"
META_DIGEST = "shop_mapping_digest"
META_SOURCE = "shop_source"
META_LOADED = "shop_loaded_at"
META_PENDING = FULL_LOAD_PENDING


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of row tuples pass through: every few
    hundred of them would start a collection that walks the batches waiting in the queue, for
    nothing (rows hold no cycles; reference counting frees them). Measured at 1M customers:
    about 1.4 s of a 29 s load. Collection resumes, and catches up, when the load ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def full_load(ctx: PullContext) -> PullReport:
    with _cyclic_gc_paused():
        return _full_load(ctx)


def _full_load(ctx: PullContext) -> PullReport:
    started = time.perf_counter()
    report = PullReport("full", source=ctx.source)
    tables = list(ctx.mapping.tables)
    plans = [(rule, ctx.queries(rule, derive_in_sql=True)) for rule in tables]
    converters = {rule.entity: ctx.converter(rule, q) for rule, q in plans}

    def produce() -> Iterator[Any]:
        with ctx.engine.connect() as raw_conn:
            conn = snapshot(raw_conn)
            counts = {rule.entity: int(conn.execute(q.count()).scalar() or 0) for rule, q in plans}
            yield ("counts", counts)
            for rule, q in plans:
                mark: Any = None
                if rule.change.column:
                    # Read like the rows (PostgreSQL: as text), so the two compare.
                    for found in stream(conn, q.max_change(), {}, 1):
                        mark = found[0][0]
                    since = watermarks.shift_back(mark, rule.change.overlap_seconds)
                    yield ("since", rule.entity, since)
                for raw in stream(conn, q.all_rows(), {}, ctx.batch_rows):
                    yield ("raw", rule.entity, raw)
                yield ("done", rule.entity, mark)

    previous_keys: dict[str, list[int | None]] = {}

    def _convert(entity: str, raw: Any, since: Any) -> Converted:
        rule = ctx.mapping.table(entity)
        assert rule is not None
        return convert_batch(
            converters[entity],
            raw,
            names=True,
            digests=rule.change.row_hash,
            previous_key=previous_keys.setdefault(entity, [None]),
            track_clean=False,
            recent_since=since,
        )

    writer = ctx.cache.begin_full_load()
    states: list[TableState] = []
    recent_since: dict[str, Any] = {}
    recent: dict[str, dict[int, int]] = {}
    try:
        total = 1
        done = 0
        # The reader thread only reads; rows are converted here, between writes: measured,
        # converting on the reader costs as much in interpreter-lock hand-overs as it saves.
        with Pipeline(produce) as pipe:
            for item in pipe.items(ctx.cancelled):
                if isinstance(item, tuple) and item[0] == "counts":
                    total = max(1, sum(item[1].values()))
                    ctx.progress("reading the shop", 0, total)
                    continue
                if isinstance(item, tuple) and item[0] == "since":
                    recent_since[item[1]] = item[2]
                    continue
                if isinstance(item, tuple) and item[0] == "raw":
                    _, entity, raw = item
                    item = _convert(entity, raw, recent_since.get(entity))
                elif isinstance(item, tuple) and item[0] == "done":
                    _, entity, mark = item
                    rule = ctx.mapping.table(entity)
                    assert rule is not None
                    states.append(
                        TableState(
                            entity,
                            rule.table,
                            "row_hash" if rule.change.row_hash else "change",
                            watermarks.encode(mark),
                            None,
                        )
                    )
                    continue
                if item.recent:
                    recent.setdefault(item.entity, {}).update(item.recent)
                counts = report.table(item.entity)
                counts.read += item.read
                if item.rows:
                    writer.insert(item.entity, item.rows)
                    counts.written += len(item.rows)
                if item.names:
                    writer.insert_names(item.names)
                if item.digests:
                    writer.insert_digests(item.entity, sorted(item.digests.items()))
                if item.issues:
                    writer.add_issues(item.issues)
                    report.note_issues(item.issues)
                    counts.skipped += sum(1 for i in item.issues if i.outcome == SKIPPED)
                    counts.repaired += sum(1 for i in item.issues if i.outcome != SKIPPED)
                if item.unkeyed:
                    counts.skipped += item.unkeyed
                    report.notes.append(f"{item.entity}: {item.unkeyed} rows without a usable key")
                done += item.read
                ctx.progress(f"reading {item.entity.replace('_', ' ')}", done, total)
        meta = {
            META_MAPPING: ctx.mapping.name,
            META_DIGEST: ctx.mapping.digest,
            META_SOURCE: ctx.source,
            META_LOADED: ctx.pulled_at,
        }
        if ctx.cancelled():
            raise Cancelled
        for entity, digests in recent.items():
            writer.set_recent(entity, digests)
        finished = writer.finish(states, meta, ctx.progress)
    except BaseException:
        writer.abort()
        raise
    orphans = finished.get("_orphans", 0)
    if orphans:
        report.notes.append(f"{orphans} rows refer to rows that are not in the shop's data")
    for e in ENTITIES:
        if e.name in report.tables and e.table in finished:
            report.tables[e.name].written = finished[e.table]
    report.seconds = time.perf_counter() - started
    return report
