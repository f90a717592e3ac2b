"""Policy profiles: a shop's privacy policy as the rules the console enforces.

A profile is data (``resources/policies/*.toml``); :func:`parse_profile` turns the parsed TOML into
frozen value types, one module per capability, and refuses anything malformed with a message that
names the dotted key. Every rule carries a :class:`Clause`: the words of the shop's policy it comes
from, quoted verbatim, or, where the policy is silent, an empty quote and the reference practice
the console follows instead.

Pure: no I/O. The adapter (``csconsole.adapters.policy_files``) reads the files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from csconsole.domain.policy.access import AccessRules, parse_access
from csconsole.domain.policy.account_misuse import AccountMisuseRules, parse_account_misuse
from csconsole.domain.policy.cases import CaseDue, CaseType, parse_cases, parse_holiday_calendar
from csconsole.domain.policy.children import ChildrenRules, parse_children
from csconsole.domain.policy.clause import (
    Clause,
    PolicyProfileError,
    clause_is_verbatim,
    clauses_in,
)
from csconsole.domain.policy.corrections import CorrectionRules, parse_corrections
from csconsole.domain.policy.disclosures import DisclosureRules, parse_disclosures
from csconsole.domain.policy.mailing import MailingRules, parse_mailing
from csconsole.domain.policy.reading import ProfileTable
from csconsole.domain.policy.retention import RetentionRules, parse_retention
from csconsole.domain.policy.search_probing import SearchProbingRules, parse_search_probing
from csconsole.domain.policy.verification import VerificationRules, parse_verification

SCHEMA_VERSION = 1

_PROFILE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.txt")


@dataclass(frozen=True, slots=True)
class PolicyProfile:
    id: str
    name: str
    shop_name: str
    policy_source: str
    policy_url: str
    verification: VerificationRules
    corrections: CorrectionRules
    access: AccessRules
    mailing: MailingRules
    disclosures: DisclosureRules
    children: ChildrenRules
    account_misuse: AccountMisuseRules
    case_due: Mapping[CaseType, CaseDue]
    retention: RetentionRules
    search_probing: SearchProbingRules
    # Whose public holidays are not business days: a country code of the ``holidays`` package
    # ("US": the federal holidays of 5 U.S.C. 6103), or "" for weekends only.
    holiday_calendar: str = ""

    def clauses(self) -> tuple[Clause, ...]:
        """Every rule's clause, in profile order: found in the rule types themselves, so a rule
        table added to the profile is checked without being listed anywhere."""
        return tuple(clauses_in(self))


def verify_clauses(profile: PolicyProfile, policy_text: str, *, source_name: str) -> None:
    """Raise :class:`PolicyProfileError` naming the first clause not quoted verbatim."""
    for clause in profile.clauses():
        if clause.text and not clause_is_verbatim(clause.text, policy_text):
            raise PolicyProfileError(
                source_name,
                f"{clause.key}.clause",
                f"not found verbatim in {profile.policy_source}: {clause.text[:60]!r}",
            )


def parse_profile(data: Mapping[str, object], *, source_name: str) -> PolicyProfile:
    """Validate a parsed profile (a TOML document as a mapping) into a :class:`PolicyProfile`.

    Raises :class:`PolicyProfileError` naming ``source_name``, the dotted key and the problem.
    """
    root = ProfileTable(
        source_name,
        "",
        data,
        (
            "schema_version",
            "profile",
            "verification",
            "corrections",
            "access",
            "mailing",
            "disclosures",
            "children",
            "account_misuse",
            "cases",
            "retention",
            "search_probing",
        ),
    )
    version = root.integer("schema_version")
    if version != SCHEMA_VERSION:
        root.fail("schema_version", f"unsupported version {version} (expected {SCHEMA_VERSION})")

    head = root.table("profile", ("id", "name", "shop_name", "policy_source", "policy_url"))
    profile_id = head.string("id")
    if not _PROFILE_ID.fullmatch(profile_id):
        head.fail("id", f"expected lowercase words joined by '-', got {profile_id!r}")
    source = head.string("policy_source")
    if not _SOURCE_FILE.fullmatch(source):
        head.fail("policy_source", f"expected a plain .txt file name, got {source!r}")

    verification = parse_verification(root, source)
    corrections = parse_corrections(root, source, verification)
    access = parse_access(root, source)
    return PolicyProfile(
        id=profile_id,
        name=head.string("name"),
        shop_name=head.string("shop_name"),
        policy_source=source,
        policy_url=head.string("policy_url", allow_empty=True, default=""),
        verification=verification,
        corrections=corrections,
        access=access,
        mailing=parse_mailing(root, source),
        disclosures=parse_disclosures(root, source),
        children=parse_children(root, source),
        account_misuse=parse_account_misuse(root, source),
        case_due=parse_cases(root, source),
        retention=parse_retention(root, source),
        search_probing=parse_search_probing(root, source),
        holiday_calendar=parse_holiday_calendar(root),
    )
