"""Access rules: what a verified caller asking what is held about them receives."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import ProfileTable, rule_table


@dataclass(frozen=True, slots=True)
class AccessRules:
    full_report: bool
    clause: Clause


def parse_access(root: ProfileTable, source: str) -> AccessRules:
    t = rule_table(root, "access", ("full_report",))
    return AccessRules(full_report=t.boolean("full_report"), clause=t.clause(source))
