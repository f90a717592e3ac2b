"""Retention rules: how long records are kept."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import ProfileTable, rule_table


@dataclass(frozen=True, slots=True)
class RetentionRules:
    months: int
    clause: Clause


def parse_retention(root: ProfileTable, source: str) -> RetentionRules:
    t = rule_table(root, "retention", ("months",))
    return RetentionRules(months=t.integer("months"), clause=t.clause(source))
