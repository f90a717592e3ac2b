"""The SELECTs the pull sends to the shop, built once per table with SQLAlchemy Core.

Nothing here is dialect-specific: SQLAlchemy renders quoting, parameters and integer division
for PostgreSQL, MySQL/MariaDB and SQLite alike. ``stream`` adds the one fast path that pays:
psycopg's ``cursor.stream`` (libpq chunked rows) for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.sql.expression import ColumnClause

from csconsole.sync.shop.mapping import Join, SourceRef, TableRule

Row = Sequence[Any]
CHUNK_ROWS = 2000  # rows per libpq chunk on the PostgreSQL fast path
NAME_TEXT = "(name)"  # the name index text, as an extra column (``derived_sql``)
_NOT_PLAIN = "[^ -~]"  # not printable ASCII: the cache's own functions derive the key
_LETTERS = "^[A-Za-z]+$"
_FOUR_DIGITS = "[0-9][^0-9]*[0-9][^0-9]*[0-9][^0-9]*[0-9]"


def derived_sql(recipe: str, sources: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    """A lookup key computed by PostgreSQL, for plain ASCII text only (NULL otherwise, and
    where the key is NULL), exactly as ``cache_model`` computes it there; everything else is
    left to ``cache_model`` (a NULL from here means: derive it in Python). Text is compared
    and cased in the "C" collation, so no locale's rules (a Turkish dotless i) apply."""
    c = sources[0].collate("C")
    plain = ~c.regexp_match(_NOT_PLAIN)
    if recipe == "fold":
        return case((plain, func.lower(c)))
    if recipe == "alnum_upper":
        alnum = func.upper(c.regexp_replace("[^0-9A-Za-z]+", "", flags="g"))
        return case((plain, func.nullif(alnum, "")))
    if recipe == "digits_reversed":
        digits = c.regexp_replace("[^0-9]+", "", flags="g")
        return case((and_(plain, c.regexp_match(_FOUR_DIGITS)), func.reverse(digits)))
    if recipe == "name":
        first, last = (col.collate("C") for col in sources)
        both = and_(first.regexp_match(_LETTERS), last.regexp_match(_LETTERS))
        return case((both, func.lower(first.concat(" ").concat(last))))
    raise ValueError(f"unknown recipe {recipe!r}")


class ShopQueries:
    """The queries of one mapped table. ``refs`` is the column order of every row they read."""

    def __init__(
        self,
        rule: TableRule,
        *,
        change_nullable: bool = False,
        derived: Mapping[str, tuple[str, Sequence[SourceRef]]] | None = None,
    ) -> None:
        """``derived``: extra columns every row query reads after ``refs``, computed by the
        shop (PostgreSQL only): name -> (``derived_sql`` recipe, the shop columns it reads).
        ``extra`` gives each one's position in the row."""
        self.rule = rule
        self.refs: list[SourceRef] = rule.source_refs()
        names: dict[str | None, list[str]] = {None: [rule.key]}
        for join in rule.joins:
            names[join.alias] = [c for c, _ in join.on]
        for ref in self.refs:
            names.setdefault(ref.alias, []).append(ref.column)
        self._tables: dict[str | None, Any] = {}
        for alias, cols in names.items():
            unique = list(dict.fromkeys(cols))
            clauses = [
                column(c, BigInteger) if alias is None and c == rule.key else column(c)
                for c in unique
            ]
            if alias is None:
                self._tables[None] = table(rule.table, *clauses)
            else:
                joined = next(j.table for j in rule.joins if j.alias == alias)
                self._tables[alias] = table(joined, *clauses).alias(alias)
        self.key: ColumnClause[Any] = self._tables[None].c[rule.key]
        self.change: ColumnClause[Any] | None = None
        if rule.change.column:
            self.change = self._col(SourceRef(rule.change.column))
        self.change_nullable = change_nullable
        self._source: Any = self._tables[None]
        for join in rule.joins:
            on = [self._col(SourceRef(c, join.alias)) == self._col(ref) for c, ref in join.on]
            self._source = self._source.outerjoin(self._tables[join.alias], and_(*on))
        self._filter: list[ColumnElement[bool]] = [
            self._col(SourceRef(c)).is_not(None) for c in rule.where_not_null
        ]
        self.extra: dict[str, int] = {}
        self._extra: list[ColumnElement[Any]] = []
        for name, (recipe, sources) in (derived or {}).items():
            self.extra[name] = len(self.refs) + len(self._extra)
            self._extra.append(derived_sql(recipe, [self._col(ref) for ref in sources]))

    def _col(self, ref: SourceRef) -> ColumnClause[Any]:
        return self._tables[ref.alias].c[ref.column]  # type: ignore[no-any-return]

    def _rows(self) -> Select[Any]:
        stmt = select(*[self._col(r) for r in self.refs], *self._extra).select_from(self._source)
        return stmt.where(*self._filter) if self._filter else stmt

    # --- reading rows ---------------------------------------------------------------------

    def all_rows(self) -> Select[Any]:
        return self._rows().order_by(self.key)

    def changed_rows(self, *, since: bool, after: bool) -> Select[Any]:
        """Rows changed since the watermark, in (change, key) order.

        ``since``: bind ``since`` (the watermark minus the overlap window); ``after``: bind
        ``c``/``k``, the last (change, key) already handed on (the id tie-break that lets a
        long pull continue where it stopped without missing rows sharing a change value).
        """
        assert self.change is not None
        stmt = self._rows()
        if since:
            stmt = stmt.where(self.change >= bindparam("since"))
        if after:
            stmt = stmt.where(
                or_(
                    self.change > bindparam("c"),
                    and_(self.change == bindparam("c"), self.key > bindparam("k")),
                )
            )
        return stmt.where(self.change.is_not(None)).order_by(self.change, self.key)

    def rows_without_change(self) -> Select[Any]:
        """Rows whose change column is NULL: no watermark can say whether they changed."""
        assert self.change is not None
        return self._rows().where(self.change.is_(None)).order_by(self.key)

    def rows_following(self, join: Join) -> Select[Any]:
        """Rows whose ``join`` partner is one of ``keys`` (bound, expanding), in key order."""
        column = self._col(join.follow_ref())
        return self._rows().where(column.in_(bindparam("keys", expanding=True))).order_by(self.key)

    def rows_by_key(self) -> Select[Any]:
        return self._rows().where(self.key.in_(bindparam("keys", expanding=True)))

    # --- aggregates ------------------------------------------------------------------------

    def _from(self, *cols: Any) -> Select[Any]:
        stmt = select(*cols).select_from(self._tables[None])
        return stmt.where(*self._filter) if self._filter else stmt

    def count(self) -> Select[Any]:
        return self._from(func.count())

    def max_change(self) -> Select[Any]:
        assert self.change is not None
        return self._from(func.max(self.change))

    def totals(self) -> Select[Any]:
        """Row count, key sum and largest key: equal totals mean equal key sets (no deletes)."""
        return self._from(func.count(), func.coalesce(func.sum(self.key), 0), func.max(self.key))

    def buckets(self, width: int) -> Select[Any]:
        bucket = (self.key // literal_column(str(int(width)))).label("bucket")
        stmt = self._from(bucket, func.count(), func.sum(self.key))
        return stmt.group_by(bucket)

    def keys_between(self) -> Select[Any]:
        return (
            self._from(self.key)
            .where(self.key >= bindparam("lo"), self.key < bindparam("hi"))
            .order_by(self.key)
        )


def stream(
    conn: Connection, stmt: Select[Any], params: Mapping[str, Any], batch: int
) -> Iterator[Sequence[Row]]:
    """The rows of ``stmt`` in lists of up to ``batch``, without loading them all."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        yield from _stream_psycopg(conn, stmt, params, batch)
        return
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt, params)
    yield from result.partitions(batch)


def _stream_psycopg(
    conn: Connection, stmt: Select[Any], params: Mapping[str, Any], batch: int
) -> Iterator[Sequence[Row]]:
    """Timestamps without time zone and dates arrive as their ISO text, which is what the
    cache stores: no datetime is built only to be formatted again (``trusted`` in
    ``sync.shop.schema`` knows). Everything else is loaded as psycopg loads it."""
    from psycopg.types.string import TextLoader

    compiled = stmt.compile(dialect=conn.dialect)
    expanded = compiled.construct_expanded_state(dict(params))
    raw: Any = conn.connection.driver_connection
    conn.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")  # also begins the transaction
    cursor = raw.cursor()
    for type_name in ("timestamp", "date"):
        cursor.adapters.register_loader(type_name, TextLoader)
    try:
        rows: list[Row] = []
        for row in cursor.stream(expanded.statement, expanded.parameters, size=CHUNK_ROWS):
            rows.append(row)
            if len(rows) >= batch:
                yield rows
                rows = []
        if rows:
            yield rows
    finally:
        cursor.close()
