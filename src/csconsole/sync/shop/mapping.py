"""Shop mappings: which shop table and columns fill each entity of the cache's shop model.

A mapping is a TOML file (``resources/mappings/*.toml``; format in ``docs/sync.md``). It is data
only: table and column names, how each table shows change, and named transforms from
``sync.transforms``. A new shop platform needs a new file, not new code.

``parse_mapping`` validates everything it can without a database and raises ``MappingError``
naming the file and the exact key (``magento2.toml: tables.addresses.columns.street:
unknown transform 'line'``). What needs the database (do the tables and columns exist, are
their types right) is checked by ``sync.shop_schema``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csconsole.domain.errors import CsConsoleError
from csconsole.sync.shop.cache_model import BY_NAME, ENTITIES, UPDATED_AT, Entity
from csconsole.sync.shop.targets import Target
from csconsole.sync.shop.transforms import COLUMN_OPTIONS, TRANSFORMS

FORMAT = 1
DEFAULT_OVERLAP_SECONDS = 300
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_NO_VALUE: Any = object()

# The entity names the push uses (``sync.shop.targets``) for the cache entities it writes.
_WRITE_ENTITIES = {
    "customers": "customer",
    "addresses": "address",
    "subscription_events": "subscription",
    "orders": "order",
}


class MappingError(CsConsoleError):
    """A mapping file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A column of the mapped table (``alias`` None) or of one of its joins."""

    column: str
    alias: str | None = None

    def __str__(self) -> str:
        return f"{self.alias}.{self.column}" if self.alias else self.column


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """How one cache column is filled: from source columns (the first that is not NULL), or a
    constant; then the named transforms in order; then ``default`` if still NULL."""

    target: str
    sources: tuple[SourceRef, ...] = ()
    constant: Any = _NO_VALUE
    transforms: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    default: Any = _NO_VALUE
    equals: SourceRef | None = None  # then/else: the value depends on source == equals
    then: Any = None
    otherwise: Any = None

    @property
    def is_constant(self) -> bool:
        return self.constant is not _NO_VALUE

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_VALUE

    @property
    def is_plain(self) -> bool:
        """A single column of the mapped table taken as it is (what the push can write back)."""
        return (
            len(self.sources) == 1
            and self.sources[0].alias is None
            and not self.transforms
            and self.equals is None
        )


@dataclass(frozen=True, slots=True)
class Join:
    """``LEFT JOIN table AS alias ON alias.<col> = <ref>`` for each pair in ``on``."""

    alias: str
    table: str
    on: tuple[tuple[str, SourceRef], ...]
    # The entity whose table this is: a change there (a row's change column moves) also
    # changes the joined rows here, so an incremental pull reads them again. Magento's
    # ``default_billing`` lives in the customer row and decides an address's kind.
    follows: str | None = None

    def follow_ref(self) -> SourceRef:
        """The column of the mapped table holding the followed entity's key."""
        return self.on[0][1]


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """A change column (watermark + overlap window), or row hashes when the table has none."""

    column: str | None
    overlap_seconds: int = DEFAULT_OVERLAP_SECONDS

    @property
    def row_hash(self) -> bool:
        return self.column is None


@dataclass(frozen=True, slots=True)
class TableRule:
    entity: str
    table: str
    key: str
    change: ChangeRule
    columns: tuple[ColumnRule, ...]
    joins: tuple[Join, ...] = ()
    where_not_null: tuple[str, ...] = ()
    write: str = "update"

    @property
    def model(self) -> Entity:
        return BY_NAME[self.entity]

    def rule(self, target: str) -> ColumnRule | None:
        for rule in self.columns:
            if rule.target == target:
                return rule
        return None

    def source_refs(self) -> list[SourceRef]:
        """Every shop column the table's rules read, in a stable order, without repeats."""
        refs: list[SourceRef] = [SourceRef(self.key)]
        if self.change.column:
            refs.append(SourceRef(self.change.column))
        for rule in self.columns:
            refs.extend(rule.sources)
            if rule.equals is not None:
                refs.append(rule.equals)
        refs.extend(SourceRef(c) for c in self.where_not_null)
        for join in self.joins:
            refs.extend(ref for _, ref in join.on)
        return list(dict.fromkeys(refs))


@dataclass(frozen=True, slots=True)
class ShopMapping:
    name: str
    description: str
    tables: tuple[TableRule, ...]
    digest: str
    origin: str

    def table(self, entity: str) -> TableRule | None:
        for table in self.tables:
            if table.entity == entity:
                return table
        return None

    def write_targets(self) -> dict[str, Target]:
        """The shop tables the push writes to, by its entity names (see
        ``sync.push.outbox_push``)."""
        out: dict[str, Target] = {}
        for table in self.tables:
            name = _WRITE_ENTITIES.get(table.entity)
            if name is None:
                continue
            columns = {r.target: r.sources[0].column for r in table.columns if r.is_plain}
            constants = {r.target: r.constant for r in table.columns if r.is_constant}
            out[name] = Target(
                table=table.table,
                key_column=table.key,
                columns=columns,
                change_column=table.change.column,
                insert_only=table.write == "insert",
                constants=constants,
            )
        return out


# --- parsing ----------------------------------------------------------------------------------


class _Path:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> MappingError:
        where = f"{self.origin}: {key}" if key else self.origin
        return MappingError(f"{where}: {problem}")


def _table_of(value: Any, at: str, p: _Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise p.fail(at, f"must be a table, got {_type(value)}")
    return value


def _str_of(value: Any, at: str, p: _Path, *, ident: bool = False) -> str:
    if not isinstance(value, str) or not value:
        raise p.fail(at, f"must be a non-empty string, got {_type(value)}")
    if ident and not _IDENT.match(value):
        raise p.fail(at, f"{value!r} is not a plain table or column name")
    return value


def _type(value: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _unknown(
    data: Mapping[str, Any], allowed: set[str] | frozenset[str], at: str, p: _Path
) -> None:
    for key in data:
        if key not in allowed:
            where = f"{at}.{key}" if at else key
            raise p.fail(where, f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _ref(value: Any, at: str, p: _Path, aliases: set[str]) -> SourceRef:
    text = _str_of(value, at, p)
    alias, _, column = text.rpartition(".")
    if not _IDENT.match(column) or (alias and not _IDENT.match(alias)):
        raise p.fail(at, f"{text!r} is not a column name (use `column` or `join.column`)")
    if alias and alias not in aliases:
        raise p.fail(at, f"{text!r} names the join {alias!r}, which is not declared in joins")
    return SourceRef(column, alias or None)


def _change(value: Any, at: str, p: _Path) -> ChangeRule:
    data = _table_of(value, at, p)
    _unknown(data, {"column", "overlap_seconds", "row_hash"}, at, p)
    row_hash = data.get("row_hash", False)
    if not isinstance(row_hash, bool):
        raise p.fail(f"{at}.row_hash", "must be true or false")
    column = data.get("column")
    if row_hash == (column is not None):
        raise p.fail(at, "give either `column` (a change column) or `row_hash = true`")
    overlap = data.get("overlap_seconds", DEFAULT_OVERLAP_SECONDS)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap <= 86400:
        raise p.fail(f"{at}.overlap_seconds", "must be a whole number of seconds, 0 to 86400")
    if row_hash:
        if "overlap_seconds" in data:
            raise p.fail(f"{at}.overlap_seconds", "applies to a change column only")
        return ChangeRule(None)
    return ChangeRule(_str_of(column, f"{at}.column", p, ident=True), overlap)


def _transforms(value: Any, at: str, p: _Path) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise p.fail(at, "must be a transform name or an array of them")
    for name in names:
        if not isinstance(name, str) or name not in TRANSFORMS:
            raise p.fail(at, f"unknown transform {name!r} (known: {', '.join(sorted(TRANSFORMS))})")
    return tuple(names)


def _column_rule(
    entity: Entity, target: str, value: Any, at: str, p: _Path, aliases: set[str]
) -> ColumnRule:
    if isinstance(value, str):
        return ColumnRule(target, (_ref(value, at, p, aliases),))
    data = _table_of(value, at, p)
    transforms = _transforms(data["transform"], f"{at}.transform", p) if "transform" in data else ()
    allowed = set(COLUMN_OPTIONS)
    for name in transforms:
        allowed |= TRANSFORMS[name].options
    _unknown(data, allowed, at, p)
    for name in transforms:
        for option in sorted(TRANSFORMS[name].required):
            if option not in data:
                raise p.fail(f"{at}.{option}", f"required by the transform {name!r}")
    if "values" in data:
        values = _table_of(data["values"], f"{at}.values", p)
        if not values:
            raise p.fail(f"{at}.values", "must list at least one code")
    has_column, has_value = "column" in data, "value" in data
    if has_column == has_value:
        raise p.fail(at, "give either `column` (a shop column, or an array of them) or `value`")
    sources: tuple[SourceRef, ...] = ()
    if has_column:
        raw = data["column"]
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise p.fail(f"{at}.column", "must name at least one column")
        sources = tuple(_ref(v, f"{at}.column", p, aliases) for v in items)
    elif transforms:
        raise p.fail(f"{at}.transform", "a constant `value` takes no transform")
    equals = None
    if "equals" in data:
        if not has_column or "then" not in data or "else" not in data:
            raise p.fail(f"{at}.equals", "needs `column`, `then` and `else`")
        equals = _ref(data["equals"], f"{at}.equals", p, aliases)
    elif "then" in data or "else" in data:
        raise p.fail(at, "`then` and `else` go with `equals`")
    options = {k: v for k, v in data.items() if k not in COLUMN_OPTIONS}
    rule = ColumnRule(
        target,
        sources,
        data.get("value", _NO_VALUE),
        transforms,
        options,
        data.get("default", _NO_VALUE),
        equals,
        data.get("then"),
        data.get("else"),
    )
    col = entity.column(target)
    assert col is not None
    for label, v in (("value", rule.constant), ("default", rule.default)):
        if v is not _NO_VALUE and isinstance(v, dict | list):
            raise p.fail(f"{at}.{label}", "must be a single value")
    return rule


def _joins(value: Any, at: str, p: _Path) -> tuple[Join, ...]:
    data = _table_of(value, at, p)
    joins = []
    for alias, spec in data.items():
        where = f"{at}.{alias}"
        if not _IDENT.match(alias):
            raise p.fail(where, "a join's name must be a plain name")
        body = _table_of(spec, where, p)
        _unknown(body, {"table", "on", "follows"}, where, p)
        table = _str_of(body.get("table"), f"{where}.table", p, ident=True)
        on = _table_of(body.get("on"), f"{where}.on", p)
        if not on:
            raise p.fail(f"{where}.on", "must pair at least one column")
        pairs = tuple(
            (_str_of(k, f"{where}.on", p, ident=True), _ref(v, f"{where}.on.{k}", p, set()))
            for k, v in on.items()
        )
        follows = body.get("follows")
        if follows is not None:
            follows = _str_of(follows, f"{where}.follows", p, ident=True)
            if len(pairs) != 1:
                raise p.fail(f"{where}.follows", "needs a join on one column (the entity's key)")
        joins.append(Join(alias, table, pairs, follows))
    return tuple(joins)


def _table_rule(entity: Entity, value: Any, at: str, p: _Path) -> TableRule:
    data = _table_of(value, at, p)
    _unknown(data, {"table", "key", "change", "columns", "joins", "where_not_null", "write"}, at, p)
    for required in ("table", "key", "change", "columns"):
        if required not in data:
            raise p.fail(f"{at}.{required}", "missing")
    table = _str_of(data["table"], f"{at}.table", p, ident=True)
    key = _str_of(data["key"], f"{at}.key", p, ident=True)
    change = _change(data["change"], f"{at}.change", p)
    joins = _joins(data["joins"], f"{at}.joins", p) if "joins" in data else ()
    aliases = {j.alias for j in joins}
    columns_at = f"{at}.columns"
    columns = _table_of(data["columns"], columns_at, p)
    known = {c.name for c in entity.columns}
    rules = []
    for target, spec in columns.items():
        if target not in known:
            raise p.fail(
                f"{columns_at}.{target}",
                f"not a column of the cache's {entity.name} (expected one of: "
                f"{', '.join(sorted(known))})",
            )
        rules.append(_column_rule(entity, target, spec, f"{columns_at}.{target}", p, aliases))
    mapped = {r.target for r in rules}
    for col in entity.columns:
        if col.name not in mapped and not col.nullable and col.default is None:
            if col.name == UPDATED_AT:
                continue  # filled with the time of the pull
            raise p.fail(f"{columns_at}.{col.name}", "missing (the cache requires a value)")
    where_not_null: tuple[str, ...] = ()
    if "where_not_null" in data:
        raw = data["where_not_null"]
        if not isinstance(raw, list):
            raise p.fail(f"{at}.where_not_null", "must be an array of column names")
        where_not_null = tuple(_str_of(c, f"{at}.where_not_null", p, ident=True) for c in raw)
    write = data.get("write", "update")
    if write not in ("update", "insert"):
        raise p.fail(f"{at}.write", "must be 'update' or 'insert'")
    ordered = tuple(sorted(rules, key=lambda r: [c.name for c in entity.columns].index(r.target)))
    return TableRule(entity.name, table, key, change, ordered, joins, where_not_null, str(write))


def parse_mapping(data: Mapping[str, Any], origin: str) -> ShopMapping:
    p = _Path(origin)
    _unknown(data, {"mapping", "tables"}, "", p)
    head = _table_of(data.get("mapping"), "mapping", p)
    _unknown(head, {"name", "description", "format"}, "mapping", p)
    name = _str_of(head.get("name"), "mapping.name", p)
    description = head.get("description", "")
    if not isinstance(description, str):
        raise p.fail("mapping.description", "must be a string")
    fmt = head.get("format", FORMAT)
    if fmt != FORMAT:
        raise p.fail("mapping.format", f"this console reads format {FORMAT} only")
    tables = _table_of(data.get("tables"), "tables", p)
    for entity_name in tables:
        if entity_name not in BY_NAME:
            raise p.fail(
                f"tables.{entity_name}",
                f"not an entity of the cache (expected one of: {', '.join(BY_NAME)})",
            )
    if "customers" not in tables:
        raise p.fail("tables.customers", "missing (every mapping maps customers)")
    rules = tuple(
        _table_rule(e, tables[e.name], f"tables.{e.name}", p) for e in ENTITIES if e.name in tables
    )
    _check_follows(rules, p)
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return ShopMapping(name, description, rules, digest, origin)


def _check_follows(rules: tuple[TableRule, ...], p: _Path) -> None:
    """A join may follow an entity pulled before its table, by change column, joined on its key
    (the pull reads again the rows of the keys that changed there)."""
    earlier: dict[str, TableRule] = {}
    for rule in rules:
        for join in rule.joins:
            if join.follows is None:
                continue
            at = f"tables.{rule.entity}.joins.{join.alias}.follows"
            followed = earlier.get(join.follows)
            if followed is None:
                raise p.fail(at, f"{join.follows!r} is not an entity mapped before {rule.entity!r}")
            if followed.table != join.table or join.on[0][0] != followed.key:
                raise p.fail(
                    at,
                    f"the join must read {followed.table!r} by its key {followed.key!r}",
                )
            if followed.change.row_hash or rule.change.row_hash:
                raise p.fail(at, "both tables need a change column")
        earlier[rule.entity] = rule


# --- files ------------------------------------------------------------------------------------


def mappings_dir() -> Path:
    """The shipped mappings: the source tree's ``resources/mappings`` (editable install) or the
    packaged copy."""
    in_tree = Path(__file__).resolve().parents[4] / "resources" / "mappings"
    if in_tree.is_dir():
        return in_tree
    return Path(__file__).resolve().parents[2] / "resources" / "mappings"


def available_mappings() -> list[str]:
    directory = mappings_dir()
    return sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []


def mapping_path(name_or_file: str) -> Path:
    """A shipped mapping's name (``magento2``) or the path of a ``.toml`` file."""
    if name_or_file.endswith(".toml") or "/" in name_or_file or "\\" in name_or_file:
        path = Path(name_or_file).expanduser()
        if not path.is_file():
            raise MappingError(f"The mapping file {path} does not exist.")
        return path.resolve()
    path = mappings_dir() / f"{name_or_file}.toml"
    if not path.is_file():
        known = ", ".join(available_mappings()) or "none"
        raise MappingError(
            f"There is no shipped mapping named {name_or_file!r} (shipped: {known}); "
            "give a .toml file's path for your own."
        )
    return path


def load_mapping(name_or_file: str) -> ShopMapping:
    path = mapping_path(name_or_file)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise MappingError(f"{path.name}: not UTF-8 text") from None
    return parse_mapping(data, path.name)
