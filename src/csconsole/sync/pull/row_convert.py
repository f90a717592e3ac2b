"""One shop row to one cache row, as a mapping's table rule says.

``RowConverter`` is compiled once per table and pull from the rule and the order of the columns
the query selects. It runs on the reader thread, so everything here is plain Python without
the cache. The fast path converts a row with one call per column; a row that raises anything
is converted again column by column to name the column and the reason (``RowProblem``) or to
collect repairs (``ValueRepaired``), so the common case pays for no bookkeeping.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from csconsole.sync.shop.cache_model import UPDATED_AT, CacheColumn, Entity
from csconsole.sync.shop.mapping import ColumnRule, SourceRef, TableRule
from csconsole.sync.shop.queries import NAME_TEXT
from csconsole.sync.shop.transforms import (
    KIND_CONVERT,
    Convert,
    ValueProblem,
    ValueRepaired,
    bool_from_number,
    build_chain,
    iso_timestamp_text,
    to_int,
)

Row = Sequence[Any]
Getter = Callable[[Row], Any]


class _Slow(Exception):
    """The compiled fast path gives up on a row; the slow path looks at it column by column."""


class RowProblem(Exception):
    """A row that cannot go into the cache: which cache column, which shop column(s), why."""

    def __init__(self, target: str, source: str, reason: str) -> None:
        super().__init__(f"column {source}: {reason}")
        self.target = target
        self.source = source
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Repair:
    target: str
    source: str
    reason: str


def row_hash(row: Row) -> int:
    """A signed 64-bit digest of a shop row's raw values (what row-hash tables compare)."""
    digest = hashlib.blake2b(repr(tuple(row)).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class _Steps:
    """The steps of one column: read, compare, transforms, default, kind, required."""

    def __init__(
        self,
        rule: ColumnRule | None,
        col: CacheColumn,
        index: dict[SourceRef, int],
        kind: Convert | None,
        fallback: Any,
    ) -> None:
        self.target = col.name
        self.col = col
        self.rule = rule
        if rule is None:
            self.source = "(not mapped)"
        elif rule.is_constant:
            self.source = "(constant)"
        else:
            self.source = "/".join(str(s) for s in rule.sources)
        self.indexes = tuple(index[s] for s in rule.sources) if rule else ()
        self.equals = index[rule.equals] if rule and rule.equals is not None else None
        self.chain: tuple[Convert, ...] = build_chain(rule.transforms, rule.options) if rule else ()
        self.kind = kind
        if rule is not None and rule.has_default:
            self.default = rule.default
        else:
            self.default = fallback
        self.required = not col.nullable

    def raw(self, row: Row) -> Any:
        rule = self.rule
        if rule is None:
            return None
        if rule.is_constant:
            return rule.constant
        value = None
        for i in self.indexes:
            value = row[i]
            if value is not None:
                break
        if self.equals is not None:
            other = row[self.equals]
            value = rule.then if value is not None and value == other else rule.otherwise
        return value

    def fast(self) -> Getter:
        """The cheapest function that does what ``run`` does when nothing goes wrong."""
        rule = self.rule
        if rule is None or rule.is_constant:
            try:
                value = self.run((), None)
            except Exception:
                return self.slow_value
            return lambda row: value
        if len(self.indexes) != 1 or self.equals is not None:
            return self.slow_value
        i = self.indexes[0]
        chain = self.chain
        kind = self.kind
        default = self.default
        if default is not None:

            def with_default(row: Row) -> Any:
                value = row[i]
                for step in chain:
                    value = step(value)
                if value is None:
                    value = default
                return value if kind is None else kind(value)

            return with_default
        steps = (*chain, kind) if kind is not None else chain
        if not steps:
            return operator.itemgetter(i)
        if len(steps) == 1:
            only = steps[0]
            return lambda row: only(row[i])
        if len(steps) == 2:
            first, second = steps
            return lambda row: second(first(row[i]))

        def composed(row: Row) -> Any:
            value = row[i]
            for step in steps:
                value = step(value)
            return value

        return composed

    def statements(self, var: str, name: str, namespace: dict[str, Any]) -> list[str]:
        """Python statements setting ``var`` to this column's value, for the compiled converter.
        Only integers, ``var`` and the names it adds to ``namespace`` appear in them, nothing
        from a mapping. Mirrors ``run`` (which the slow path uses)."""
        rule = self.rule
        if rule is None or rule.is_constant or len(self.indexes) != 1 or self.equals is not None:
            namespace[name] = self.fast()
            return [f"{var} = {name}(row)"]
        lines = [f"{var} = row[{int(self.indexes[0])}]"]
        for n, step in enumerate(self.chain):
            namespace[f"{name}_{n}"] = step
            lines.append(f"{var} = {name}_{n}({var})")
        kind = self.kind
        if self.default is not None:
            try:
                namespace[f"{name}_d"] = kind(self.default) if kind is not None else self.default
            except Exception:
                namespace[name] = self.fast()
                return [f"{var} = {name}(row)"]
            lines.append(f"if {var} is None: {var} = {name}_d")
            if kind is not None:
                namespace[f"{name}_k"] = kind
                lines.append(f"else: {var} = {name}_k({var})")
            return lines
        if kind is None:
            return lines
        namespace[f"{name}_k"] = kind
        if kind is iso_timestamp_text:  # the common case inline: already in the cache's form
            lines.append(
                f"if {var}.__class__ is not str or len({var}) != 19 or {var}[10] != ' ':"
                f" {var} = {name}_k({var})"
            )
        elif kind is bool_from_number:
            lines.append(f"if {var} is not None: {var} = 1 if {var} else 0")
        else:
            lines.append(f"{var} = {name}_k({var})")
        return lines

    def passes_through(self) -> bool:
        """The cache value is the shop column's value itself (or NULL), nothing applied."""
        rule = self.rule
        return (
            rule is not None
            and not rule.is_constant
            and len(self.indexes) == 1
            and self.equals is None
            and not self.chain
            and self.kind is None
        )

    def slow_value(self, row: Row) -> Any:
        return self.run(row, None)

    def run(self, row: Row, repairs: list[Repair] | None) -> Any:
        value = self.raw(row)
        for step in self.chain:
            value = self._step(step, value, repairs)
        if value is None:
            value = self.default
        if value is not None and self.kind is not None:
            value = self._step(self.kind, value, repairs)
        return value

    def _step(self, fn: Convert, value: Any, repairs: list[Repair] | None) -> Any:
        try:
            return fn(value)
        except ValueRepaired as repaired:
            if repairs is None:
                raise
            repairs.append(Repair(self.target, self.source, repaired.reason))
            return repaired.value


class RowConverter:
    """Converts rows selected as ``refs`` (in that order) into rows of ``layout``."""

    def __init__(
        self,
        rule: TableRule,
        refs: Sequence[SourceRef],
        *,
        trusted: Mapping[SourceRef, Convert | None] | None = None,
        pulled_at: str,
        extra: Mapping[str, int] | None = None,
    ) -> None:
        """``extra``: positions, after ``refs``, of lookup keys (and ``NAME_TEXT``) the shop
        computed (``ShopQueries(derived=...)``); used where not NULL and the key's column
        passes its shop value through unchanged, else derived here."""
        self.rule = rule
        self.entity: Entity = rule.model
        index = {ref: i for i, ref in enumerate(refs)}
        self.key_index = index[SourceRef(rule.key)]
        self.change_index = index[SourceRef(rule.change.column)] if rule.change.column else None
        self._steps: list[_Steps] = []
        trusted = trusted or {}
        for col in self.entity.columns:
            col_rule = rule.rule(col.name)
            kind: Convert | None = KIND_CONVERT[col.kind]
            if (
                col_rule is not None
                and len(col_rule.sources) == 1
                and col_rule.sources[0] in trusted
                and not col_rule.transforms
                and col_rule.equals is None
            ):
                kind = trusted[col_rule.sources[0]]
            fallback = col.default
            if col_rule is None and col.name == UPDATED_AT:
                fallback = pulled_at
            self._steps.append(_Steps(col_rule, col, index, kind, fallback))
        self.layout: tuple[str, ...] = (
            "id",
            *(c.name for c in self.entity.columns),
            *(d.name for d in self.entity.derived),
        )
        self.key_column = f"{rule.table}.{rule.key}"
        positions = {c.name: i + 1 for i, c in enumerate(self.entity.columns)}
        self._derived = [
            (positions[d.source], d.derive, d.nullable, d.name) for d in self.entity.derived
        ]
        self.name_positions: tuple[int, int] | None = (
            (positions["first_name"], positions["last_name"]) if self.entity.name_index else None
        )
        self.width = len(refs)  # digests cover the mapped columns, not the extra ones
        by_target = {steps.target: steps for steps in self._steps}
        extra = extra or {}
        self._extra = {
            name: i
            for name, i in extra.items()
            if name != NAME_TEXT
            and any(
                d.name == name and by_target[d.source].passes_through() for d in self.entity.derived
            )
        }
        self.name_text_index: int | None = None
        if (
            NAME_TEXT in extra
            and self.entity.name_index
            and by_target["first_name"].passes_through()
            and by_target["last_name"].passes_through()
        ):
            self.name_text_index = extra[NAME_TEXT]
        self.repairs: list[Repair] = []
        self._compiled = self._compile()
        # The fast path alone: raises on anything ``convert`` would look at more closely.
        self.compiled: Callable[[Row], tuple[Any, ...]] = self._compiled

    def _compile(self) -> Callable[[Row], tuple[Any, ...]]:
        """One function per table that converts a row with no loop and no list: the fast path.

        It raises ``_Slow`` for anything unusual (a key that is no int, a missing value), and
        any error a step raises propagates; ``convert`` then takes the slow path, which names
        the column and the reason.
        """
        namespace: dict[str, Any] = {"_Slow": _Slow}
        body = [f"    k = row[{int(self.key_index)}]", "    if k.__class__ is not int: raise _Slow"]
        names = []
        for j, steps in enumerate(self._steps):
            body += [f"    {line}" for line in steps.statements(f"v{j}", f"c{j}", namespace)]
            if steps.required:
                body.append(f"    if v{j} is None: raise _Slow")
            names.append(f"v{j}")
        for n, (position, derive, nullable, name) in enumerate(self._derived):
            namespace[f"d{n}"] = derive
            call = f"d{n}(v{int(position) - 1})"
            if name in self._extra:  # computed by the shop unless NULL there
                at = int(self._extra[name])
                call = f"(x{n} if (x{n} := row[{at}]) is not None else {call})"
            names.append(call if nullable else f"({call} or '')")
        body.append(f"    return (k, {', '.join(names)})")
        source = "def convert(row):\n" + "\n".join(body) + "\n"
        exec(compile(source, f"<converter {self.rule.entity}>", "exec"), namespace)  # noqa: S102
        return namespace["convert"]  # type: ignore[no-any-return]

    def digest(self, row: Row) -> int:
        """``row_hash`` of the mapped columns (the same whether or not ``extra`` were read)."""
        return row_hash(row[: self.width] if len(row) > self.width else row)

    def key(self, row: Row) -> int:
        value = row[self.key_index]
        if type(value) is int:
            return value
        try:
            key = to_int(value)
        except ValueProblem:
            raise RowProblem("id", self.rule.key, "the key is not a whole number") from None
        if key is None:
            raise RowProblem("id", self.rule.key, "the key is empty")
        return int(key)

    def convert(self, row: Row) -> tuple[Any, ...]:
        """The cache row; raises RowProblem. Repairs made are left in ``self.repairs``."""
        try:
            return self._compiled(row)
        except Exception:
            out = self._slow(row)
        for position, derive, nullable, _ in self._derived:
            value = derive(out[position])
            out.append(value if value is not None or nullable else "")
        return tuple(out)

    def _slow(self, row: Row) -> list[Any]:
        out: list[Any] = [self.key(row)]
        repairs: list[Repair] = []
        for steps in self._steps:
            try:
                value = steps.run(row, repairs)
            except ValueProblem as problem:
                raise RowProblem(steps.target, steps.source, str(problem)) from None
            except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
                reason = f"a value this column cannot hold ({type(exc).__name__})"
                raise RowProblem(steps.target, steps.source, reason) from None
            if value is None and steps.required:
                raise RowProblem(steps.target, steps.source, "no value, and the cache needs one")
            out.append(value)
        self.repairs.extend(repairs)
        return out
