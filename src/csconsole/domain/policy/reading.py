"""Reading a profile's TOML tables: typed values, or a :class:`PolicyProfileError` that names the
file, the dotted key and the problem. Every capability's parser reads its tables through this."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import NoReturn, TypeVar

from csconsole.domain.policy.clause import Clause, PolicyProfileError

E = TypeVar("E", bound=enum.StrEnum)

# The keys every rule table carries besides its own: where the rule comes from.
RULE_KEYS = ("clause", "source", "basis")


def describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return f"an array of {len(value)}"
    return repr(value)


def choices(enum_cls: type[enum.StrEnum]) -> str:
    return ", ".join(member.value for member in enum_cls)


class ProfileTable:
    """A TOML table being read, with its dotted path for error messages."""

    def __init__(
        self, source_name: str, path: str, data: Mapping[str, object], keys: Iterable[str]
    ) -> None:
        self.source_name = source_name
        self.path = path
        self.data = data
        allowed = tuple(keys)
        for key in data:
            if key not in allowed:
                self.fail(key, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str) -> NoReturn:
        raise PolicyProfileError(self.source_name, self.key(name), problem)

    def raw(self, name: str) -> object:
        if name not in self.data:
            self.fail(name, "missing required key")
        return self.data[name]

    def table(self, name: str, keys: Iterable[str]) -> ProfileTable:
        value = self.raw(name)
        if not isinstance(value, Mapping):
            self.fail(name, f"expected a table, got {describe(value)}")
        return ProfileTable(self.source_name, self.key(name), value, keys)

    def keyed_tables(
        self, name: str, enum_cls: type[E], what: str
    ) -> dict[E, Mapping[str, object]]:
        """A table of sub-tables keyed by every member of ``enum_cls`` (no more, no less)."""
        value = self.raw(name)
        if not isinstance(value, Mapping):
            self.fail(name, f"expected a table, got {describe(value)}")
        path = self.key(name)
        out: dict[E, Mapping[str, object]] = {}
        for key, sub in value.items():
            try:
                member = enum_cls(key)
            except ValueError:
                raise PolicyProfileError(
                    self.source_name,
                    f"{path}.{key}",
                    f"unknown {what} {key!r} (expected one of: {choices(enum_cls)})",
                ) from None
            if not isinstance(sub, Mapping):
                raise PolicyProfileError(
                    self.source_name, f"{path}.{key}", f"expected a table, got {describe(sub)}"
                )
            out[member] = sub
        for member in enum_cls:
            if member not in out:
                raise PolicyProfileError(
                    self.source_name, f"{path}.{member.value}", f"missing required {what}"
                )
        return out

    def string(self, name: str, *, allow_empty: bool = False, default: str | None = None) -> str:
        if default is not None and name not in self.data:
            return default
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"expected a string, got {describe(value)}")
        if not allow_empty and not value.strip():
            self.fail(name, "expected a non-empty string")
        return value

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not isinstance(value, bool):
            self.fail(name, f"expected true or false, got {describe(value)}")
        return value

    def integer(self, name: str, *, allow_zero: bool = False) -> int:
        """A positive integer (or non-negative with ``allow_zero``); booleans are refused."""
        value = self.raw(name)
        minimum = 0 if allow_zero else 1
        expected = "a non-negative integer" if allow_zero else "a positive integer"
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(name, f"expected {expected}, got {describe(value)}")
        return value

    def enum(self, name: str, enum_cls: type[E], what: str) -> E:
        value = self.raw(name)
        if not isinstance(value, str):
            self.fail(name, f"expected a string, got {describe(value)}")
        try:
            return enum_cls(value)
        except ValueError:
            self.fail(name, f"unknown {what} {value!r} (expected one of: {choices(enum_cls)})")

    def enum_list(
        self, name: str, enum_cls: type[E], what: str, *, allow_empty: bool = True
    ) -> tuple[E, ...]:
        value = self.raw(name)
        if not isinstance(value, list | tuple):
            self.fail(name, f"expected an array, got {describe(value)}")
        if not value and not allow_empty:
            self.fail(name, "expected a non-empty array")
        out: list[E] = []
        for index, item in enumerate(value):
            item_key = f"{name}[{index}]"
            if not isinstance(item, str):
                self.fail(item_key, f"expected a string, got {describe(item)}")
            try:
                member = enum_cls(item)
            except ValueError:
                self.fail(
                    item_key, f"unknown {what} {item!r} (expected one of: {choices(enum_cls)})"
                )
            if member in out:
                self.fail(item_key, f"duplicate {what} {item!r}")
            out.append(member)
        return tuple(out)

    def clause(self, policy_source: str) -> Clause:
        """The rule header every rule table carries: clause, source, basis."""
        text = self.string("clause", allow_empty=True)
        if text != text.strip():
            self.fail("clause", "has leading or trailing whitespace")
        source = self.string("source")
        if source != policy_source:
            self.fail(
                "source",
                f"expected the profile's policy source {policy_source!r}, got {source!r}",
            )
        basis = self.string("basis", allow_empty=True, default="")
        if not text and not basis.strip():
            self.fail("basis", "the clause is empty (policy silent), so a basis is required")
        return Clause(key=self.path, text=text, source=source, basis=basis)


def rule_table(parent: ProfileTable, name: str, keys: Iterable[str]) -> ProfileTable:
    return parent.table(name, (*keys, *RULE_KEYS))
