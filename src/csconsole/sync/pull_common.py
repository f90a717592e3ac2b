"""What a full and an incremental pull share: the run's context, its report, and turning a
batch of shop rows into cache rows plus recorded issues (on the reader thread)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from .cache_model import name_text
from .cache_port import REPAIRED, SKIPPED, CacheRow, CacheStore, Progress, RowIssue
from .connection import redact
from .mapping import ShopMapping, TableRule
from .row_convert import RowConverter, RowProblem, row_hash
from .shop_queries import ShopQueries
from .shop_schema import ShopSchema

BATCH_ROWS = 5000
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
    progress: Progress = _no_progress
    cancelled: Callable[[], bool] = lambda: False
    batch_rows: int = BATCH_ROWS
    pulled_at: str = field(
        default_factory=lambda: datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "seconds")
    )

    @property
    def source(self) -> str:
        return redact(self.url)

    def queries(self, rule: TableRule) -> ShopQueries:
        nullable = bool(rule.change.column) and self.schema.nullable(rule, rule.change.column or "")
        return ShopQueries(rule, change_nullable=nullable)

    def converter(self, rule: TableRule, queries: ShopQueries) -> RowConverter:
        return RowConverter(
            rule, queries.refs, trusted=self.schema.trusted(rule), pulled_at=self.pulled_at
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
        for raw in raw_rows:
            try:
                inside = raw[change_at] is None or raw[change_at] >= recent_since
            except TypeError:
                inside = True
            if inside and type(raw[conv.key_index]) is int:
                out.recent[raw[conv.key_index]] = row_hash(raw)
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
            out.digests[key] = row_hash(raw)
    if previous_key is not None:
        previous_key[0] = previous
    if raw_rows and conv.change_index is not None:
        tail = raw_rows[-1]
        try:
            out.last = (tail[conv.change_index], conv.key(tail))
        except RowProblem:
            out.last = None
    return out


def snapshot(conn: Connection) -> Connection:
    """One read transaction over every table, so a full load is a consistent picture."""
    dialect = conn.dialect.name
    if dialect in ("postgresql", "mysql", "mariadb"):
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN")
    return conn
