"""Policy profiles: a shop's privacy policy as the rules the console enforces, one module per
capability (verification, corrections, access, mailing, disclosures, children, account misuse,
cases, retention), put together by :mod:`.profile`. Everything is re-exported here, so callers
import from ``csconsole.domain.policy``.

Adding a capability's rules: a module with its rule types (each rule carrying a ``Clause``) and
its ``parse_...`` function, a field on :class:`PolicyProfile` and a line in ``parse_profile``.
The verbatim check finds the new clauses by itself (:func:`clauses_in`).
"""

from __future__ import annotations

from csconsole.domain.policy.access import AccessRules
from csconsole.domain.policy.account_misuse import AccountMisuseRules
from csconsole.domain.policy.cases import CaseDue, CaseType, DayUnit
from csconsole.domain.policy.children import ChildrenRules
from csconsole.domain.policy.clause import (
    Clause,
    PolicyProfileError,
    clause_is_verbatim,
    clauses_in,
    normalise_whitespace,
)
from csconsole.domain.policy.corrections import (
    CorrectionRules,
    LegalHoldRule,
    SupervisorApprovalRule,
)
from csconsole.domain.policy.disclosures import (
    DisclosureRules,
    DisclosureScope,
    InstrumentKind,
    RecipientCategory,
    RecipientRule,
)
from csconsole.domain.policy.mailing import (
    ChannelRule,
    EnrolmentSource,
    MailingChannel,
    MailingRules,
)
from csconsole.domain.policy.profile import (
    SCHEMA_VERSION,
    PolicyProfile,
    parse_profile,
    verify_clauses,
)
from csconsole.domain.policy.retention import RetentionRules
from csconsole.domain.policy.search_probing import SearchProbingRules
from csconsole.domain.policy.verification import (
    CorrectableField,
    FieldLevel,
    LevelRequirement,
    LockoutRule,
    QuestionKind,
    RequestLevel,
    RequestType,
    Tolerances,
    VerificationLevel,
    VerificationRules,
    stricter,
)

__all__ = [
    "SCHEMA_VERSION",
    "AccessRules",
    "AccountMisuseRules",
    "CaseDue",
    "CaseType",
    "ChannelRule",
    "ChildrenRules",
    "Clause",
    "CorrectableField",
    "CorrectionRules",
    "DayUnit",
    "DisclosureRules",
    "DisclosureScope",
    "EnrolmentSource",
    "FieldLevel",
    "InstrumentKind",
    "LegalHoldRule",
    "LevelRequirement",
    "LockoutRule",
    "MailingChannel",
    "MailingRules",
    "PolicyProfile",
    "PolicyProfileError",
    "QuestionKind",
    "RecipientCategory",
    "RecipientRule",
    "RequestLevel",
    "RequestType",
    "RetentionRules",
    "SearchProbingRules",
    "SupervisorApprovalRule",
    "Tolerances",
    "VerificationLevel",
    "VerificationRules",
    "clause_is_verbatim",
    "clauses_in",
    "normalise_whitespace",
    "parse_profile",
    "stricter",
    "verify_clauses",
]
