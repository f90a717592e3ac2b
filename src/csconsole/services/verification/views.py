"""What the verification service returns: where a verification stands, the questions, the lock.

None of these holds a stored answer or a caller's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csconsole.domain.policy import CorrectableField, QuestionKind, RequestType, VerificationLevel
from csconsole.domain.verification_answers import AnswerOutcome


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question the rep may put to the caller: what to ask and how an answer is typed."""

    kind: QuestionKind
    label: str
    prompt: str
    hint: str


@dataclass(frozen=True, slots=True)
class LockView:
    customer_id: int
    locked: bool
    failures_in_window: int
    max_failures: int
    window_hours: int
    locked_at: datetime | None = None
    # The desk that recorded the lock ("" this one); None/"" also for a lock only the wrong
    # answers of several desks imply, until a desk records it.
    origin: str = ""
    lock_id: int | None = None


@dataclass(frozen=True, slots=True)
class VerificationStatus:
    """Where a verification stands. Holds no stored answer and no caller's answer."""

    verification_id: int
    case_id: int
    customer_id: int
    request: RequestType
    fields: tuple[CorrectableField, ...]
    required: VerificationLevel
    level: VerificationLevel
    matched: int
    needed: int
    affirmation_needed: bool
    affirmed: bool
    affirmation_text: str
    asked: tuple[tuple[QuestionKind, bool], ...]
    remaining: tuple[QuestionView, ...]
    can_still_pass: bool
    expires_at: datetime
    expired: bool
    ended: bool
    lock: LockView

    @property
    def passed(self) -> bool:
        return self.level.satisfies(self.required)

    @property
    def usable(self) -> bool:
        """Answers may still be given."""
        return not (self.expired or self.ended or self.lock.locked)


@dataclass(frozen=True, slots=True)
class AnswerResult:
    kind: QuestionKind
    outcome: AnswerOutcome
    reason: str  # why an answer was not understood (its form only); "" otherwise
    status: VerificationStatus
