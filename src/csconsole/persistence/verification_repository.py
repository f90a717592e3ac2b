"""Verification sessions, attempts and locks in the cache (implements
``services.case_ports.VerificationRepository``). No answer is ever stored: an attempt is the
question kind and its result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csconsole.domain.policy import CorrectableField, QuestionKind, RequestType, VerificationLevel
from csconsole.domain.verification import AnswerRecord, LockRecord, VerificationRecord

from .case_repository import naive_utc, utc
from .models.cases import VerificationAttempt, VerificationLock, VerificationSession

MATCH = "match"
NO_MATCH = "no_match"


class SqlVerificationRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def start(
        self,
        *,
        case_id: int,
        customer_id: int,
        staff_id: int,
        request: RequestType,
        fields: Sequence[CorrectableField],
        required: VerificationLevel,
        started_at: datetime,
        expires_at: datetime,
    ) -> int:
        row = VerificationSession(
            case_id=case_id,
            customer_id=customer_id,
            staff_id=staff_id,
            request_type=request.value,
            fields=",".join(f.value for f in fields),
            required_level=required.value,
            started_at=naive_utc(started_at),
            expires_at=naive_utc(expires_at),
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def _record(self, row: VerificationSession) -> VerificationRecord:
        attempts = self._s.scalars(
            select(VerificationAttempt)
            .where(
                VerificationAttempt.session_id == row.id,
                VerificationAttempt.result.in_((MATCH, NO_MATCH)),
            )
            .order_by(VerificationAttempt.at, VerificationAttempt.id)
        )
        return VerificationRecord(
            verification_id=row.id,
            case_id=row.case_id,
            customer_id=row.customer_id,
            staff_id=row.staff_id,
            request=RequestType(row.request_type),
            fields=tuple(CorrectableField(f) for f in row.fields.split(",") if f),
            required=VerificationLevel(row.required_level),
            started_at=utc(row.started_at),
            expires_at=utc(row.expires_at),
            ended_at=utc(row.ended_at) if row.ended_at else None,
            affirmed_at=utc(row.affirmed_at) if row.affirmed_at else None,
            answers=tuple(
                AnswerRecord(QuestionKind(a.question_kind), a.result == MATCH, utc(a.at))
                for a in attempts
            ),
        )

    def get(self, verification_id: int) -> VerificationRecord | None:
        row = self._s.get(VerificationSession, verification_id)
        return self._record(row) if row is not None else None

    def for_case(self, case_id: int) -> list[VerificationRecord]:
        rows = self._s.scalars(
            select(VerificationSession)
            .where(VerificationSession.case_id == case_id)
            .order_by(VerificationSession.started_at.desc(), VerificationSession.id.desc())
        )
        return [self._record(row) for row in rows]

    def add_attempt(
        self,
        verification_id: int,
        *,
        customer_id: int,
        staff_id: int,
        at: datetime,
        kind: QuestionKind,
        result: str,
    ) -> None:
        self._s.add(
            VerificationAttempt(
                session_id=verification_id,
                customer_id=customer_id,
                staff_id=staff_id,
                at=naive_utc(at),
                question_kind=kind.value,
                result=result,
            )
        )
        self._s.flush()

    def affirm(self, verification_id: int, *, at: datetime, text: str) -> None:
        row = self._s.get_one(VerificationSession, verification_id)
        row.affirmed_at = naive_utc(at)
        row.affirmation_text = text
        self._s.flush()

    def end(self, verification_id: int, *, at: datetime, reason: str) -> None:
        row = self._s.get_one(VerificationSession, verification_id)
        if row.ended_at is None:
            row.ended_at = naive_utc(at)
            row.end_reason = reason
            self._s.flush()

    def failures_since(self, customer_id: int, since: datetime) -> list[datetime]:
        rows = self._s.scalars(
            select(VerificationAttempt.at)
            .where(
                VerificationAttempt.customer_id == customer_id,
                VerificationAttempt.result == NO_MATCH,
                VerificationAttempt.at > naive_utc(since),
            )
            .order_by(VerificationAttempt.at)
        )
        return [utc(at) for at in rows]

    def active_lock(self, customer_id: int) -> LockRecord | None:
        row = self._s.scalars(
            select(VerificationLock)
            .where(
                VerificationLock.customer_id == customer_id,
                VerificationLock.unlocked_at.is_(None),
            )
            .order_by(VerificationLock.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return LockRecord(row.id, row.customer_id, utc(row.locked_at), row.failures)

    def last_unlock_at(self, customer_id: int) -> datetime | None:
        at = self._s.scalar(
            select(func.max(VerificationLock.unlocked_at)).where(
                VerificationLock.customer_id == customer_id
            )
        )
        return utc(at) if at is not None else None

    def add_lock(
        self, customer_id: int, *, at: datetime, failures: int, verification_id: int | None
    ) -> int:
        row = VerificationLock(
            customer_id=customer_id,
            locked_at=naive_utc(at),
            failures=failures,
            session_id=verification_id,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def unlock(self, lock_id: int, *, at: datetime, staff_id: int, reason: str) -> None:
        row = self._s.get_one(VerificationLock, lock_id)
        row.unlocked_at = naive_utc(at)
        row.unlocked_by_id = staff_id
        row.unlock_reason = reason
        self._s.flush()
