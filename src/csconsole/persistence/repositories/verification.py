"""Verification sessions, attempts, locks and unlocks in the cache (implements
``services.case_ports.VerificationRepository``). No answer is ever stored: an attempt is the
question kind and its result.

The lockout reads every desk's records: this console's tables and the replicas of the other
desks' (``replica_verification_attempt``, ``_lock``, ``_unlock``, pulled at each sync)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, func, literal, select, union_all
from sqlalchemy.orm import Session

from csconsole.domain.policy import CorrectableField, QuestionKind, RequestType, VerificationLevel
from csconsole.domain.verification import (
    AnswerRecord,
    LockRecord,
    VerificationRecord,
    standing_locks,
)
from csconsole.persistence.ledger.tables import (
    VERIFICATION_ATTEMPT,
    VERIFICATION_LOCK,
    VERIFICATION_UNLOCK,
)
from csconsole.persistence.models.cases import (
    VerificationAttempt,
    VerificationLock,
    VerificationSession,
    VerificationUnlock,
)

MATCH = "match"
NO_MATCH = "no_match"
NO_MATCH_LATE = "no_match_late"  # after the needed level: an answer, not a lockout failure


def _replica(table: Table | None) -> Table:
    assert table is not None
    return table


# The other desks' rows, pulled from the central ledger.
_ATTEMPTS = _replica(VERIFICATION_ATTEMPT.replica)
_LOCKS = _replica(VERIFICATION_LOCK.replica)
_UNLOCKS = _replica(VERIFICATION_UNLOCK.replica)


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
            started_at=started_at,
            expires_at=expires_at,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def _record(self, row: VerificationSession) -> VerificationRecord:
        attempts = self._s.scalars(
            select(VerificationAttempt)
            .where(
                VerificationAttempt.session_id == row.id,
                VerificationAttempt.result.in_((MATCH, NO_MATCH, NO_MATCH_LATE)),
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
            started_at=row.started_at,
            expires_at=row.expires_at,
            ended_at=row.ended_at,
            affirmed_at=row.affirmed_at,
            answers=tuple(
                AnswerRecord(QuestionKind(a.question_kind), a.result == MATCH, a.at)
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
                at=at,
                question_kind=kind.value,
                result=result,
            )
        )
        self._s.flush()

    def affirm(self, verification_id: int, *, at: datetime, text: str) -> None:
        row = self._s.get_one(VerificationSession, verification_id)
        row.affirmed_at = at
        row.affirmation_text = text
        self._s.flush()

    def end(self, verification_id: int, *, at: datetime, reason: str) -> None:
        row = self._s.get_one(VerificationSession, verification_id)
        if row.ended_at is None:
            row.ended_at = at
            row.end_reason = reason
            self._s.flush()

    # --- the lockout, across desks ------------------------------------------------------------
    # Attempts, locks and unlocks are owned ledger tables: this desk's rows, and the other
    # desks' in replica_<table> (as of their last sync). The lockout counts them all.

    def failures_since(self, customer_id: int, since: datetime | None) -> list[datetime]:
        local = select(VerificationAttempt.at).where(
            VerificationAttempt.customer_id == customer_id, VerificationAttempt.result == NO_MATCH
        )
        theirs = select(_ATTEMPTS.c.at).where(
            _ATTEMPTS.c.customer_id == customer_id, _ATTEMPTS.c.result == NO_MATCH
        )
        if since is not None:
            local = local.where(VerificationAttempt.at > since)
            theirs = theirs.where(_ATTEMPTS.c.at > since)
        return sorted(self._s.scalars(union_all(local, theirs)))

    def locks_after(self, customer_id: int, after: datetime | None) -> list[LockRecord]:
        """Recorded locks on the customer, of every desk, made after ``after`` (all if None)."""
        local = select(
            literal("").label("origin"),
            VerificationLock.id,
            VerificationLock.locked_at,
            VerificationLock.failures,
        ).where(VerificationLock.customer_id == customer_id)
        theirs = select(_LOCKS.c.origin, _LOCKS.c.id, _LOCKS.c.locked_at, _LOCKS.c.failures).where(
            _LOCKS.c.customer_id == customer_id
        )
        if after is not None:
            local = local.where(VerificationLock.locked_at > after)
            theirs = theirs.where(_LOCKS.c.locked_at > after)
        return [
            LockRecord(row.id, customer_id, row.locked_at, row.failures, row.origin)
            for row in self._s.execute(union_all(local, theirs))
        ]

    def active_lock(self, customer_id: int) -> LockRecord | None:
        """The newest recorded lock (of any desk) that no unlock (of any desk) has lifted."""
        last = self.last_unlock_at(customer_id)
        standing = standing_locks(self.locks_after(customer_id, last), last)
        return standing[0] if standing else None

    def last_unlock_at(self, customer_id: int) -> datetime | None:
        """The latest time an unlock of the customer took effect, on any desk (including locks
        lifted the way they were before unlocks had their own records)."""
        times = [
            select(func.max(VerificationUnlock.effective_at)).where(
                VerificationUnlock.customer_id == customer_id
            ),
            select(func.max(_UNLOCKS.c.effective_at)).where(_UNLOCKS.c.customer_id == customer_id),
            select(func.max(VerificationLock.unlocked_at)).where(
                VerificationLock.customer_id == customer_id
            ),
            select(func.max(_LOCKS.c.unlocked_at)).where(_LOCKS.c.customer_id == customer_id),
        ]
        found = [at for at in self._s.scalars(union_all(*times)) if at is not None]
        return max(found) if found else None

    def locked_customer_ids(self, limit: int) -> list[int]:
        """Customers with a recorded lock of any desk that no unlock lifted, newest lock first
        (the supervisor's queue)."""
        locks = union_all(
            select(VerificationLock.customer_id, VerificationLock.locked_at),
            select(_LOCKS.c.customer_id, _LOCKS.c.locked_at),
        ).subquery()
        newest = (
            select(locks.c.customer_id)
            .group_by(locks.c.customer_id)
            .order_by(func.max(locks.c.locked_at).desc())
        )
        found: list[int] = []
        for customer_id in self._s.scalars(newest):
            if self.active_lock(int(customer_id)) is not None:
                found.append(int(customer_id))
                if len(found) >= limit:
                    break
        return found

    def add_lock(
        self, customer_id: int, *, at: datetime, failures: int, verification_id: int | None
    ) -> int:
        row = VerificationLock(
            customer_id=customer_id,
            locked_at=at,
            failures=failures,
            session_id=verification_id,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def add_unlock(
        self,
        customer_id: int,
        *,
        at: datetime,
        effective_at: datetime,
        staff_id: int,
        reason: str,
        lock: LockRecord | None,
        signed_by: str | None = None,
        signature: str | None = None,
    ) -> int:
        row = VerificationUnlock(
            customer_id=customer_id,
            unlocked_at=at,
            effective_at=effective_at,
            staff_id=staff_id,
            reason=reason,
            lock_origin=lock.origin if lock is not None else None,
            lock_id=lock.lock_id if lock is not None else None,
            signed_by=signed_by,
            signature=signature,
        )
        self._s.add(row)
        self._s.flush()
        return row.id
