"""What a full and an incremental pull share: the run's context, its report, and turning a
batch of shop rows into cache rows plus recorded issues (on the reader thread)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from csconsole.services.ports import ProgressReport
from csconsole.sync.pull.cache_port import REPAIRED, SKIPPED, CacheRow, CacheStore, RowIssue
from csconsole.sync.pull.row_convert import RowConverter, RowProblem
from csconsole.sync.shop.cache_model import name_text
from csconsole.sync.shop.connection import redact
from csconsole.sync.shop.mapping import ShopMapping, SourceRef, TableRule
from csconsole.sync.shop.queries import NAME_TEXT, ShopQueries
from csconsole.sync.shop.schema import ShopSchema

BATCH_ROWS = 5000
_NOT_TRUSTED = object()
MAX_EXAMPLES = 5


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class PullContext:
    engine: Engine
    url: URL
    mapping: ShopMapping
    schema: ShopSchema
    cache: CacheStore
    progress: ProgressReport = _no_progress
    cancelled: Callable[[], bool] = lambda: False
    batch_rows: int = BATCH_ROWS
    pulled_at: str = field(
        default_factory=lambda: datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "seconds")
    )

    @property
    def source(self) -> str:
        return redact(self.url)

    def queries(self, rule: TableRule, *, derive_in_sql: bool = False) -> ShopQueries:
        """``derive_in_sql``: PostgreSQL also computes the lookup keys and the name index text
        of plain ASCII values (a full load: a million rows' worth of Python work moves to the
        server, which has cycles to spare while the cache is written)."""
        nullable = bool(rule.change.column) and self.schema.nullable(rule, rule.change.column or "")
        derived = self._derived(rule) if derive_in_sql else None
        return ShopQueries(rule, change_nullable=nullable, derived=derived)

    def _derived(self, rule: TableRule) -> dict[str, tuple[str, list[SourceRef]]]:
        if self.schema.dialect != "postgresql":
            return {}
        trusted = self.schema.trusted(rule)

        def plain_text(target: str) -> SourceRef | None:
            col = rule.rule(target)
            if col is None or col.is_constant or col.transforms or col.equals is not None:
                return None
            if len(col.sources) != 1 or trusted.get(col.sources[0], _NOT_TRUSTED) is not None:
                return None  # not a text column whose values pass through as they are
            return col.sources[0]

        out: dict[str, tuple[str, list[SourceRef]]] = {}
        for d in rule.model.derived:
            ref = plain_text(d.source)
            if d.recipe and ref is not None:
                out[d.name] = (d.recipe, [ref])
        if rule.model.name_index:
            first, last = plain_text("first_name"), plain_text("last_name")
            if first is not None and last is not None:
                out[NAME_TEXT] = ("name", [first, last])
        return out

    def converter(self, rule: TableRule, queries: ShopQueries) -> RowConverter:
        return RowConverter(
            rule,
            queries.refs,
            trusted=self.schema.trusted(rule),
            pulled_at=self.pulled_at,
            extra=queries.extra,
        )


@dataclass
class TableCounts:
    read: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    repaired: int = 0


@dataclass
class PullReport:
    kind: str  # full | incremental
    tables: dict[str, TableCounts] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    source: str = ""
    examples: list[str] = field(default_factory=list)

    def note_issues(self, issues: Sequence[RowIssue]) -> None:
        """Keep the first few issues as messages: source, table, row key, column, reason."""
        for issue in issues:
            if len(self.examples) >= MAX_EXAMPLES:
                return
            table = issue.source_table or issue.entity
            self.examples.append(
                f"{self.source}: {table} row {issue.row_key}: column {issue.column}:"
                f" {issue.reason} ({issue.outcome})"
            )

    def table(self, entity: str) -> TableCounts:
        return self.tables.setdefault(entity, TableCounts())

    def total(self, name: str) -> int:
        return sum(int(getattr(t, name)) for t in self.tables.values())

    def counts(self) -> dict[str, int]:
        return {
            k: self.total(k) for k in ("read", "written", "unchanged", "deleted", "skipped")
        } | {"repaired": self.total("repaired")}


@dataclass
class Converted:
    """One batch of shop rows, converted on the reader thread."""

    entity: str
    read: int
    rows: list[CacheRow] = field(default_factory=list)
    names: list[tuple[int, str]] = field(default_factory=list)
    digests: dict[int, int] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    clean: list[int] = field(default_factory=list)  # keys converted without any issue
    last: tuple[Any, int] | None = None  # (change value, key) of the batch's last row
    unkeyed: int = 0  # rows skipped without a usable key (not recordable per row)
    seen: int = 0  # rows passed over: read by an earlier pull and unchanged since
    recent: dict[int, int] = field(default_factory=dict)  # key -> digest, inside the overlap


def convert_batch(
    conv: RowConverter,
    raw_rows: Sequence[Sequence[Any]],
    *,
    names: bool = False,
    digests: bool = False,
    previous_key: list[int | None] | None = None,
    track_clean: bool = True,
    recent_since: Any = None,
) -> Converted:
    """Convert rows; problems become ``skipped`` issues, repairs ``repaired`` ones.

    ``previous_key`` (a one-element list, carried across batches of a table read in key order)
    catches a key the shop returns twice: the second row is skipped. ``track_clean`` lists the
    keys converted without an issue (an incremental pull clears their old issues).
    ``recent_since``: the digests of rows changed since then go to ``recent`` (a full load hands
    the first incremental pull the rows of its overlap window).
    """
    rule = conv.rule
    out = Converted(rule.entity, len(raw_rows))
    first, last = conv.name_positions or (0, 0)
    want_names = names and conv.name_positions is not None
    rows = out.rows
    convert = conv.convert
    previous = previous_key[0] if previous_key is not None else None
    change_at = conv.change_index
    if recent_since is not None and change_at is not None:
        key_at = conv.key_index
        try:  # most rows are older than the window: one pass in bulk
            inside = [
                raw
                for raw in raw_rows
                if (change := raw[change_at]) is None or change >= recent_since
            ]
        except TypeError:  # a value of another type in the change column (SQLite)
            inside = []
            for raw in raw_rows:
                try:
                    if raw[change_at] is None or raw[change_at] >= recent_since:
                        inside.append(raw)
                except TypeError:
                    inside.append(raw)
        for raw in inside:
            if type(raw[key_at]) is int:
                out.recent[raw[key_at]] = conv.digest(raw)
    if _convert_clean(conv, raw_rows, out, want_names, digests, previous_key, track_clean):
        return out
    for raw in raw_rows:
        try:
            row = convert(raw)
        except RowProblem as problem:
            try:
                key = conv.key(raw)
            except RowProblem:
                out.unkeyed += 1
                continue
            out.issues.append(
                RowIssue(rule.entity, key, SKIPPED, rule.table, problem.source, problem.reason)
            )
            continue
        key = row[0]
        if previous_key is not None:
            if previous is not None and key <= previous:
                out.issues.append(
                    RowIssue(rule.entity, key, SKIPPED, rule.table, rule.key, "key read twice")
                )
                continue
            previous = key
        if conv.repairs:
            for repair in conv.repairs:
                out.issues.append(
                    RowIssue(rule.entity, key, REPAIRED, rule.table, repair.source, repair.reason)
                )
            conv.repairs.clear()
        elif track_clean:
            out.clean.append(key)
        rows.append(row)
        if want_names:
            out.names.append((key, name_text(row[first], row[last])))
        if digests:
            out.digests[key] = conv.digest(raw)
    if previous_key is not None:
        previous_key[0] = previous
    if raw_rows and conv.change_index is not None:
        tail = raw_rows[-1]
        try:
            out.last = (tail[conv.change_index], conv.key(tail))
        except RowProblem:
            out.last = None
    return out


def _convert_clean(
    conv: RowConverter,
    raw_rows: Sequence[Sequence[Any]],
    out: Converted,
    want_names: bool,
    digests: bool,
    previous_key: list[int | None] | None,
    track_clean: bool,
) -> bool:
    """The common case in bulk: every row converts on the compiled path (no problem, no
    repair) and, read in key order, the keys rise. Fills ``out`` and returns True; otherwise
    leaves ``out`` as it was and returns False, and ``convert_batch`` looks at each row."""
    if not raw_rows:
        return False
    fast = conv.compiled
    try:
        rows = [fast(raw) for raw in raw_rows]
    except Exception:
        return False
    keys = [row[0] for row in rows]
    if previous_key is not None:
        previous = previous_key[0]
        if previous is not None and keys[0] <= previous:
            return False
        if not all(a < b for a, b in pairwise(keys)):
            return False
        previous_key[0] = keys[-1]
    out.rows = rows
    if track_clean:
        out.clean = keys
    if want_names and conv.name_positions is not None:
        first, last = conv.name_positions
        at = conv.name_text_index
        if at is None:
            out.names = [(row[0], name_text(row[first], row[last])) for row in rows]
        else:  # the shop's, unless NULL there (not plain letters)
            out.names = [
                (
                    row[0],
                    text if (text := raw[at]) is not None else name_text(row[first], row[last]),
                )
                for row, raw in zip(rows, raw_rows, strict=True)
            ]
    if digests:
        digest = conv.digest
        out.digests = {key: digest(raw) for key, raw in zip(keys, raw_rows, strict=True)}
    if conv.change_index is not None:
        tail = raw_rows[-1]
        try:
            out.last = (tail[conv.change_index], conv.key(tail))
        except RowProblem:
            out.last = None
    return True


def snapshot(conn: Connection, *, serial: bool = False) -> Connection:
    """One read transaction over every table, so a full load is a consistent picture.

    ``serial`` (PostgreSQL): no parallel workers for this transaction's queries. The key
    totals of an incremental pull are whole-table aggregates the planner would spread over
    three processes; one is cheaper in all (0.9 instead of about 1.5 CPU-seconds per 4.5M
    rows here), and the shop server's other cores stay with the shop (and, on a machine that
    also runs the console, with the cache writer)."""
    dialect = conn.dialect.name
    if dialect in ("postgresql", "mysql", "mariadb"):
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        if serial and dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN")
    return conn
