"""Account misuse rules: whether a report of misuse opens a case and flags the account."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import ProfileTable, rule_table


@dataclass(frozen=True, slots=True)
class AccountMisuseRules:
    opens_case: bool
    flags_account: bool
    clause: Clause


def parse_account_misuse(root: ProfileTable, source: str) -> AccountMisuseRules:
    t = rule_table(root, "account_misuse", ("opens_case", "flags_account"))
    return AccountMisuseRules(
        opens_case=t.boolean("opens_case"),
        flags_account=t.boolean("flags_account"),
        clause=t.clause(source),
    )
