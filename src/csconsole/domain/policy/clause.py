"""Where every rule comes from (:class:`Clause`), the verbatim check, and the error a profile
that cannot be used raises.

The clauses a profile holds are found by walking its value types (:func:`clauses_in`), not by a
list of the rule tables: a rule type added to the profile is checked without being named here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from csconsole.domain.errors import CsConsoleError


class PolicyProfileError(CsConsoleError, ValueError):
    """A profile that cannot be used. ``str(error)`` is ``"<file>: <dotted.key>: <problem>"``."""

    def __init__(self, source_name: str, key: str, problem: str, *, line: int | None = None):
        self.source_name = source_name
        self.key = key
        self.problem = problem
        self.line = line
        super().__init__(": ".join(part for part in (source_name, key, problem) if part))


@dataclass(frozen=True, slots=True)
class Clause:
    """Where a rule comes from.

    ``text`` is a verbatim quote from ``source`` (the shop's policy file), or ``""`` when the
    policy is silent on the rule; ``basis`` then names the reference practice followed instead.
    ``key`` is the rule's dotted key in the profile, e.g. ``"verification.requests.access"``.
    """

    key: str
    text: str
    source: str
    basis: str = ""

    @property
    def is_silent(self) -> bool:
        """The policy says nothing on this rule; :attr:`basis` is what the console relies on."""
        return not self.text

    def citation(self) -> str:
        """One line for printed records."""
        if self.is_silent:
            return f"{self.source} is silent on this; basis: {self.basis}"
        quoted = f'"{self.text}" ({self.source})'
        return f"{quoted}; basis: {self.basis}" if self.basis else quoted


def clauses_in(value: object) -> Iterator[Clause]:
    """Every :class:`Clause` inside ``value``, depth first in field order: through dataclass
    fields, mapping values and the items of tuples, lists and sets."""
    if isinstance(value, Clause):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from clauses_in(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from clauses_in(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from clauses_in(item)
    elif isinstance(value, frozenset | set):
        # A set has no order of its own: by key, so "the first bad clause" is always the same.
        yield from sorted((c for item in value for c in clauses_in(item)), key=lambda c: c.key)


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def clause_is_verbatim(clause_text: str, policy_text: str) -> bool:
    """True when ``clause_text`` occurs in ``policy_text`` exactly, up to runs of whitespace.

    Case and punctuation must match. An empty (or all-whitespace) clause is not a quote: False.
    """
    needle = normalise_whitespace(clause_text)
    return bool(needle) and needle in normalise_whitespace(policy_text)
