"""Verifying a caller on a case: one question at a time, the caller's answer in, match or no match
out. The rep never sees a stored answer: only :mod:`.questioning` reads the data on file.

- :mod:`.views`: what the service returns (status, questions, lock state);
- :mod:`.parsing`: the inputs as typed values;
- :mod:`.guards`: who may act on a case's verification, and the record of a refused step;
- :mod:`.questioning`: the questions, an answer compared with the data on file, the status;
- :mod:`.lockout`: the lock after too many wrong answers, across desks, and the unlock;
- :mod:`.service`: :class:`VerificationService`, the use cases composing them.
"""

from __future__ import annotations

from csconsole.domain.verification import VerificationError, VerificationLocked
from csconsole.services.verification.lockout import NothingToUnlock, current_lock
from csconsole.services.verification.parsing import MAX_UNLOCK_REASON
from csconsole.services.verification.service import VerificationService
from csconsole.services.verification.views import (
    AnswerResult,
    LockView,
    QuestionView,
    VerificationStatus,
)

__all__ = [
    "MAX_UNLOCK_REASON",
    "AnswerResult",
    "LockView",
    "NothingToUnlock",
    "QuestionView",
    "VerificationError",
    "VerificationLocked",
    "VerificationService",
    "VerificationStatus",
    "current_lock",
]
