"""Children's data rules: the age below which data is erased, and whether a supervisor approves."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import ProfileTable, rule_table


@dataclass(frozen=True, slots=True)
class ChildrenRules:
    age_under: int
    erasure: bool
    supervisor_approval: bool
    clause: Clause


def parse_children(root: ProfileTable, source: str) -> ChildrenRules:
    t = rule_table(root, "children", ("age_under", "erasure", "supervisor_approval"))
    return ChildrenRules(
        age_under=t.integer("age_under"),
        erasure=t.boolean("erasure"),
        supervisor_approval=t.boolean("supervisor_approval"),
        clause=t.clause(source),
    )
