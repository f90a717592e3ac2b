"""Correction rules: which fields may be corrected, which need a supervisor, whether evidence is
asked for, and whether a legal hold blocks them."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.policy.clause import Clause, PolicyProfileError
from csconsole.domain.policy.reading import ProfileTable, rule_table
from csconsole.domain.policy.verification import CorrectableField, VerificationRules


@dataclass(frozen=True, slots=True)
class SupervisorApprovalRule:
    fields: frozenset[CorrectableField]
    clause: Clause


@dataclass(frozen=True, slots=True)
class LegalHoldRule:
    blocks_corrections: bool
    clause: Clause


@dataclass(frozen=True, slots=True)
class CorrectionRules:
    clause: Clause
    fields: tuple[CorrectableField, ...]
    evidence_required: bool
    approval: SupervisorApprovalRule
    legal_hold: LegalHoldRule

    def needs_supervisor(self, field: CorrectableField) -> bool:
        return field in self.approval.fields


def parse_corrections(root: ProfileTable, source: str, v: VerificationRules) -> CorrectionRules:
    t = rule_table(root, "corrections", ("fields", "evidence_required", "approval", "legal_hold"))
    clause = t.clause(source)
    fields = t.enum_list("fields", CorrectableField, "correctable field", allow_empty=False)
    for index, field in enumerate(fields):
        if field not in v.fields:
            t.fail(
                f"fields[{index}]",
                f"{field.value!r} has no verification.fields.{field.value} table",
            )
    for field in v.fields:
        if field not in fields:
            raise PolicyProfileError(
                t.source_name,
                f"verification.fields.{field.value}",
                f"{field.value!r} is not listed in corrections.fields",
            )
    ap = rule_table(t, "approval", ("fields",))
    approval_fields = ap.enum_list("fields", CorrectableField, "correctable field")
    for index, field in enumerate(approval_fields):
        if field not in fields:
            ap.fail(f"fields[{index}]", f"{field.value!r} is not listed in corrections.fields")
    hold = rule_table(t, "legal_hold", ("blocks_corrections",))
    return CorrectionRules(
        clause=clause,
        fields=fields,
        evidence_required=t.boolean("evidence_required"),
        approval=SupervisorApprovalRule(frozenset(approval_fields), ap.clause(source)),
        legal_hold=LegalHoldRule(hold.boolean("blocks_corrections"), hold.clause(source)),
    )
