"""Cases: the work of a call, with its type, channel, status flow and due date.

Pure: no I/O. The due date follows the active policy profile (``PolicyProfile.case_due``), in
calendar or business days. Business days skip Saturdays, Sundays and the public holidays of the
profile's calendar (``holiday_calendar``; the caller passes them in as ``is_holiday``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from csconsole.domain.errors import CsConsoleError
from csconsole.domain.policy import CaseDue, CaseType, DayUnit, RequestType
from csconsole.domain.text import clean_free_text

__all__ = [
    "CaseRecord",
    "CaseStatus",
    "CaseTransitionError",
    "CaseType",
    "Channel",
    "NoteRecord",
    "add_days",
    "allowed_transitions",
    "check_transition",
    "clean_text",
    "due_date",
    "is_overdue",
    "request_for_case",
]

MAX_SUMMARY_CHARS = 2_000
MAX_NOTE_CHARS = 10_000


class Channel(enum.StrEnum):
    """How the request reached the shop."""

    PHONE = "phone"
    EMAIL = "email"
    MAIL = "mail"
    IN_PERSON = "in_person"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    RESOLVED = "resolved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def is_closed(self) -> bool:
        return self in _CLOSED

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


_CLOSED = frozenset({CaseStatus.RESOLVED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN})

_ENDINGS = frozenset(_CLOSED)
# A closed case stays closed: its record is what the retention rule keeps (CCPA §7101), and a
# new request is a new case.
_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_APPROVAL}) | _ENDINGS,
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.AWAITING_APPROVAL}) | _ENDINGS,
    CaseStatus.AWAITING_APPROVAL: frozenset({CaseStatus.IN_PROGRESS}) | _ENDINGS,
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.REFUSED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}


class CaseTransitionError(CsConsoleError, ValueError):
    """A status change the flow does not allow."""


def allowed_transitions(status: CaseStatus) -> frozenset[CaseStatus]:
    return _TRANSITIONS[status]


def check_transition(current: CaseStatus, new: CaseStatus, resolution: str | None) -> None:
    """Raise :class:`CaseTransitionError` unless ``current -> new`` is allowed.

    Closing (resolved, refused, withdrawn) needs a resolution: CCPA §7101 keeps the nature of
    the response and any reason for denial.
    """
    if new not in _TRANSITIONS[current]:
        if current.is_closed:
            raise CaseTransitionError(f"the case is {current.label}; a closed case stays closed")
        raise CaseTransitionError(f"a case cannot go from {current.label} to {new.label}")
    if new.is_closed and not clean_text(resolution or ""):
        raise CaseTransitionError(f"a {new.label} case needs a resolution")


def add_days(
    start: date, days: int, unit: DayUnit, is_holiday: Callable[[date], bool] | None = None
) -> date:
    """``days`` after ``start``; in business days, Saturdays, Sundays and holidays are skipped.

    A start on a day off counts from the next business day, so 1 business day from a Saturday
    is the Tuesday (Monday being the first working day the request is in the shop's hands).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if unit is DayUnit.CALENDAR:
        return start + timedelta(days=days)

    def working(day: date) -> bool:
        return day.weekday() < 5 and not (is_holiday is not None and is_holiday(day))

    current = start
    while not working(current):
        current += timedelta(days=1)
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if working(current):
            remaining -= 1
    return current


def due_date(
    opened_on: date, rule: CaseDue, is_holiday: Callable[[date], bool] | None = None
) -> date:
    """The day a case of ``rule.case_type`` opened on ``opened_on`` must be answered by."""
    return add_days(opened_on, rule.days, rule.unit, is_holiday)


def is_overdue(status: CaseStatus, due_on: date, today: date) -> bool:
    """Open past its due day; the due day itself is still in time."""
    return not status.is_closed and today > due_on


# What a caller's verification is for, per case type. A disclosure is verified by its legal
# instrument, not by the caller's answers, so it has none.
_REQUESTS: dict[CaseType, RequestType | None] = {
    CaseType.ACCESS: RequestType.ACCESS,
    CaseType.CORRECTION: RequestType.CORRECTION,
    CaseType.MAILING_OPT_OUT: RequestType.MAILING_OPT_OUT,
    CaseType.ERASURE: RequestType.ERASURE,
    CaseType.CHILD_DATA: RequestType.ERASURE,
    CaseType.ACCOUNT_MISUSE: RequestType.ACCESS,
    CaseType.INQUIRY: RequestType.ACCESS,
    CaseType.DISCLOSURE: None,
}


def request_for_case(case_type: CaseType) -> RequestType | None:
    return _REQUESTS[case_type]


def clean_text(text: str) -> str:
    """Free text as stored: no control or bidi-override characters, trimmed.

    Newlines are kept (notes have paragraphs), and joiners inside words (emoji sequences,
    Persian words); other controls never carry meaning.
    """
    lines = [clean_free_text(line).rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case as services and the UI see it; plain data."""

    case_id: int
    case_type: CaseType
    customer_id: int | None
    customer_name: str
    channel: Channel
    status: CaseStatus
    summary: str
    opened_by: str
    owner: str
    opened_at: datetime
    due_on: date
    resolution: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    # "" for a case of this desk; else the workstation that recorded it (a read-only copy
    # replicated through the central ledger; its case_id is that desk's number).
    origin: str = ""

    def overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_on, today)


@dataclass(frozen=True, slots=True)
class NoteRecord:
    note_id: int
    case_id: int
    at: datetime
    author: str
    text: str
