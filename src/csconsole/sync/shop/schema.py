"""What the shop database has, against what a mapping expects (``csconsole sync --check``).

Reflects only the tables the mapping names. Every missing table, missing column and column of
a type the mapping cannot read is listed, so one check run shows everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, inspect, types

from csconsole.sync.shop.cache_model import Kind
from csconsole.sync.shop.mapping import ShopMapping, SourceRef, TableRule
from csconsole.sync.shop.transforms import (
    Convert,
    bool_from_number,
    iso_date_text,
    iso_timestamp_text,
)

_NUMBER = (types.Integer, types.Numeric, types.Float)
_TIME = (types.DateTime, types.Date)
_TEXTLIKE = (types.String, types.Enum, types.Text)


@dataclass(frozen=True, slots=True)
class ShopColumn:
    name: str
    type: types.TypeEngine[object]
    nullable: bool


@dataclass
class ShopSchema:
    """The reflected columns of the mapped tables, and what is wrong."""

    dialect: str
    tables: dict[str, dict[str, ShopColumn]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def column(self, rule: TableRule, ref: SourceRef) -> ShopColumn | None:
        table = rule.table if ref.alias is None else _join_table(rule, ref.alias)
        return self.tables.get(table, {}).get(ref.column.lower())

    def trusted(self, rule: TableRule) -> dict[SourceRef, Convert | None]:
        """Columns whose driver values need less than the full conversion: None where they
        already have the cache's Python type, a cheaper converter where one suffices. SQLite
        stores any value in any column, so nothing from it is trusted."""
        if self.dialect not in ("postgresql", "mysql", "mariadb"):
            return {}
        out: dict[SourceRef, Convert | None] = {}
        for col_rule in rule.columns:
            if len(col_rule.sources) != 1 or col_rule.transforms:
                continue
            ref = col_rule.sources[0]
            found = self.column(rule, ref)
            target = rule.model.column(col_rule.target)
            if found is None or target is None:
                continue
            sa_type = found.type
            if target.kind == "int" and isinstance(sa_type, types.Integer):
                out[ref] = None
            elif target.kind == "bool" and isinstance(sa_type, types.Integer | types.Boolean):
                out[ref] = bool_from_number
            elif self.dialect != "postgresql":
                continue
            elif target.kind == "text" and isinstance(sa_type, _TEXTLIKE):
                out[ref] = None
            elif (
                target.kind == "datetime"
                and isinstance(sa_type, types.DateTime)
                and not getattr(sa_type, "timezone", False)
            ):
                out[ref] = iso_timestamp_text  # read as text (shop_queries.stream)
            elif target.kind == "date" and type(sa_type) is types.DATE:
                out[ref] = iso_date_text
        return out

    def nullable(self, rule: TableRule, column: str) -> bool:
        found = self.tables.get(rule.table, {}).get(column.lower())
        return True if found is None else found.nullable


def _join_table(rule: TableRule, alias: str) -> str:
    for join in rule.joins:
        if join.alias == alias:
            return join.table
    return alias


def _accepts(kind: Kind | str, sa_type: types.TypeEngine[object], dialect: str) -> str | None:
    """None if a column of this type can fill a cache column of ``kind``, else what it is."""
    if dialect == "sqlite" and not isinstance(sa_type, (*_NUMBER, *_TIME, *_TEXTLIKE)):
        return None  # SQLite: declared types are advice; every value is checked as it is read
    name = type(sa_type).__name__
    if kind in ("int", "key", "amount"):
        if isinstance(sa_type, (*_NUMBER, types.Boolean)):
            return None
        if dialect == "sqlite" and isinstance(sa_type, _TEXTLIKE):
            return None
        return name
    if kind in ("date", "datetime", "change"):
        if isinstance(sa_type, _TIME):
            return None
        if kind == "change" and isinstance(sa_type, types.Integer):
            return None
        if dialect == "sqlite" and isinstance(sa_type, _TEXTLIKE):
            return None
        return name
    if kind == "bool":
        return None if isinstance(sa_type, (*_NUMBER, types.Boolean, *_TEXTLIKE)) else name
    return None  # text: numbers, dates and text all read as text


def _expect(rule: TableRule, ref: SourceRef) -> list[str]:
    """What kinds of cache value a shop column feeds."""
    kinds: list[str] = []
    if ref == SourceRef(rule.key):
        kinds.append("key")
    if rule.change.column and ref == SourceRef(rule.change.column):
        kinds.append("change")
    for col_rule in rule.columns:
        if ref not in col_rule.sources:
            continue
        target = rule.model.column(col_rule.target)
        if target is None or col_rule.equals is not None:
            continue
        if "cents" in col_rule.transforms:
            kinds.append("amount")
        elif not col_rule.transforms:
            kinds.append(target.kind)
    return kinds


def inspect_shop(conn: Connection, mapping: ShopMapping) -> ShopSchema:
    dialect = conn.dialect.name
    schema = ShopSchema(dialect)
    insp = inspect(conn)
    wanted = {t.table for t in mapping.tables} | {j.table for t in mapping.tables for j in t.joins}
    existing = {name.lower(): name for name in insp.get_table_names()}
    for table in sorted(wanted):
        real = existing.get(table.lower())
        if real is None:
            continue
        schema.tables[table] = {
            str(c["name"]).lower(): ShopColumn(str(c["name"]), c["type"], bool(c["nullable"]))
            for c in insp.get_columns(real)
        }
    for rule in mapping.tables:
        where = f"tables.{rule.entity}"
        if rule.table not in schema.tables:
            schema.problems.append(f"missing table {rule.table} ({where})")
            continue
        for join in rule.joins:
            if join.table not in schema.tables:
                schema.problems.append(f"missing table {join.table} ({where}.joins.{join.alias})")
        for ref in rule.source_refs():
            table = rule.table if ref.alias is None else _join_table(rule, ref.alias)
            if table not in schema.tables:
                continue
            found = schema.column(rule, ref)
            if found is None:
                schema.problems.append(f"missing column {table}.{ref.column} ({where})")
                continue
            for kind in _expect(rule, ref):
                bad = _accepts(kind, found.type, dialect)
                if bad is not None:
                    schema.problems.append(
                        f"column {table}.{ref.column} is {bad}, the mapping reads it as "
                        f"{_KIND_WORDS.get(kind, kind)} ({where})"
                    )
    return schema


_KIND_WORDS = {
    "key": "a whole-number key",
    "change": "a change column (a date-time or a number)",
    "amount": "an amount",
    "int": "a whole number",
    "date": "a date",
    "datetime": "a date and time",
    "bool": "true/false",
}
