"""Disclosure rules: per recipient category, the instrument a release rests on and its scope."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from csconsole.domain.policy.clause import Clause
from csconsole.domain.policy.reading import RULE_KEYS, ProfileTable, rule_table


class RecipientCategory(enum.StrEnum):
    CARD_COMPANY = "card_company"
    LAW_ENFORCEMENT = "law_enforcement"
    GOVERNMENT = "government"
    ATTORNEY = "attorney"
    COURT = "court"


class InstrumentKind(enum.StrEnum):
    """The legal or contractual paper a disclosure request rests on."""

    CHARGEBACK_DISPUTE = "chargeback_dispute"
    SUBPOENA = "subpoena"
    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"


class DisclosureScope(enum.StrEnum):
    REQUESTED = "requested"  # the items the instrument asks for
    DISPUTED_ORDERS = "disputed_orders"  # only the orders under dispute


@dataclass(frozen=True, slots=True)
class RecipientRule:
    category: RecipientCategory
    legally_compelled_only: bool
    instrument_required: bool
    instrument_kinds: frozenset[InstrumentKind]
    issuer_must_be_judge: bool
    dispute_reference_required: bool
    scope: DisclosureScope
    clause: Clause


@dataclass(frozen=True, slots=True)
class DisclosureRules:
    supervisor_approval: bool
    clause: Clause
    recipients: Mapping[RecipientCategory, RecipientRule]


_RECIPIENT_KEYS = (
    "legally_compelled_only",
    "instrument_required",
    "instrument_kinds",
    "issuer_must_be_judge",
    "dispute_reference_required",
    "scope",
    *RULE_KEYS,
)


def parse_disclosures(root: ProfileTable, source: str) -> DisclosureRules:
    t = rule_table(root, "disclosures", ("supervisor_approval", "recipients"))
    recipients: dict[RecipientCategory, RecipientRule] = {}
    for category, sub in t.keyed_tables(
        "recipients", RecipientCategory, "recipient category"
    ).items():
        rt = ProfileTable(
            t.source_name, t.key(f"recipients.{category.value}"), sub, _RECIPIENT_KEYS
        )
        rule = RecipientRule(
            category=category,
            legally_compelled_only=rt.boolean("legally_compelled_only"),
            instrument_required=rt.boolean("instrument_required"),
            instrument_kinds=frozenset(
                rt.enum_list("instrument_kinds", InstrumentKind, "instrument kind")
            ),
            issuer_must_be_judge=rt.boolean("issuer_must_be_judge"),
            dispute_reference_required=rt.boolean("dispute_reference_required"),
            scope=rt.enum("scope", DisclosureScope, "disclosure scope"),
            clause=rt.clause(source),
        )
        needs_instrument = rule.legally_compelled_only or rule.issuer_must_be_judge
        if needs_instrument and not rule.instrument_required:
            rt.fail(
                "instrument_required",
                "must be true when legally_compelled_only or issuer_must_be_judge is true",
            )
        if rule.instrument_required and not rule.instrument_kinds:
            rt.fail("instrument_kinds", "expected at least one kind when an instrument is required")
        if rule.scope is DisclosureScope.DISPUTED_ORDERS and not rule.dispute_reference_required:
            rt.fail("dispute_reference_required", "must be true when scope is 'disputed_orders'")
        recipients[category] = rule
    return DisclosureRules(
        supervisor_approval=t.boolean("supervisor_approval"),
        clause=t.clause(source),
        recipients=MappingProxyType(recipients),
    )
