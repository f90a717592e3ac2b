"""Case types and statuses in words, as a rep says them on the phone."""

from __future__ import annotations

from csconsole.domain.cases import CaseStatus
from csconsole.domain.policy import CaseType

CASE_TYPE_WORDS: dict[CaseType, str] = {
    CaseType.ACCESS: "Access request (what we hold)",
    CaseType.CORRECTION: "Correction of data",
    CaseType.MAILING_OPT_OUT: "Mailing opt-out",
    CaseType.ERASURE: "Erasure request",
    CaseType.DISCLOSURE: "Disclosure request (who we shared with)",
    CaseType.CHILD_DATA: "Child's data",
    CaseType.ACCOUNT_MISUSE: "Account misuse report",
    CaseType.INQUIRY: "General inquiry",
}

STATUS_WORDS: dict[CaseStatus, str] = {
    CaseStatus.OPEN: "Open",
    CaseStatus.IN_PROGRESS: "In progress",
    CaseStatus.AWAITING_APPROVAL: "Awaiting approval",
    CaseStatus.RESOLVED: "Resolved",
    CaseStatus.REFUSED: "Refused",
    CaseStatus.WITHDRAWN: "Withdrawn",
}


def case_type_words(case_type: CaseType) -> str:
    return CASE_TYPE_WORDS.get(case_type, case_type.value.replace("_", " "))


def case_type_short(case_type: CaseType) -> str:
    """The words without the explanation in brackets (the header is one line)."""
    return case_type_words(case_type).split(" (")[0]


def status_words(status: CaseStatus) -> str:
    return STATUS_WORDS.get(status, status.label)
