"""The search-probing tripwire's thresholds (``[search_probing]``; the rule: ``domain/probing``)."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import ProfileTable, rule_table
from csconsole.domain.probing import MAX_WINDOW_MINUTES, MIN_COUNT, ProbingThresholds

_COUNTS = ("near_misses_per_stem", "near_misses", "identifiers_per_customer")


@dataclass(frozen=True, slots=True)
class SearchProbingRules:
    thresholds: ProbingThresholds
    clause: Clause


def parse_search_probing(root: ProfileTable, source: str) -> SearchProbingRules:
    t = rule_table(root, "search_probing", ("window_minutes", *_COUNTS))
    window = t.integer("window_minutes")
    if window > MAX_WINDOW_MINUTES:
        t.fail("window_minutes", f"expected at most {MAX_WINDOW_MINUTES}, got {window}")
    counts = {}
    for name in _COUNTS:
        value = t.integer(name)
        if value < MIN_COUNT:
            t.fail(name, f"expected at least {MIN_COUNT}, got {value}")
        counts[name] = value
    return SearchProbingRules(
        thresholds=ProbingThresholds(window_minutes=window, **counts),
        clause=t.clause(source),
    )
