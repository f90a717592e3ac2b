"""The lockout: after too many wrong answers within the window, on any desk, verification of the
customer stops until a supervisor unlocks it. A lock is recorded by the desk that saw the last
wrong answer, or by the first desk that finds the wrong answers of several desks add up to one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from csconsole.domain import signing
from csconsole.domain.errors import CsConsoleError, PermissionDenied
from csconsole.domain.policy import VerificationRules
from csconsole.domain.verification import (
    LockRecord,
    VerificationLocked,
    VerificationRecord,
    failures_in_window,
    lock_in_force,
    should_lock,
    unlock_effective_at,
)
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWork
from csconsole.services.verification.guards import record_refusal
from csconsole.services.verification.views import LockView


class NothingToUnlock(CsConsoleError):
    pass


def current_lock(uow: UnitOfWork, customer_id: int, rules: VerificationRules) -> LockRecord | None:
    """The lock in force on the customer, whichever desk recorded it, or one implied by wrong
    answers recorded on several desks (once their records met here). Unmasking asks this too."""
    repo = uow.verifications
    last = repo.last_unlock_at(customer_id)
    locks = repo.locks_after(customer_id, last)
    failures = () if locks else repo.failures_since(customer_id, last)
    return lock_in_force(customer_id, locks, last, failures, rules.lockout)


class Lockout:
    """The lockout rules of a profile applied inside the caller's unit of work."""

    def __init__(self, clock: Clock, rules: VerificationRules) -> None:
        self._clock = clock
        self._rules = rules

    def active(self, uow: UnitOfWork, customer_id: int) -> LockRecord | None:
        return current_lock(uow, customer_id, self._rules)

    def failures(self, uow: UnitOfWork, customer_id: int, now: datetime) -> Sequence[datetime]:
        """Wrong answers in the window, on every desk, not counting any before the latest
        unlock (on any desk)."""
        since = now - timedelta(hours=self._rules.lockout.window_hours)
        unlocked = uow.verifications.last_unlock_at(customer_id)
        if unlocked is not None and unlocked > since:
            since = unlocked
        return uow.verifications.failures_since(customer_id, since)

    def view(self, uow: UnitOfWork, customer_id: int, now: datetime) -> LockView:
        rule = self._rules.lockout
        lock = self.active(uow, customer_id)
        failures = failures_in_window(self.failures(uow, customer_id, now), now, rule)
        return LockView(
            customer_id=customer_id,
            locked=lock is not None,
            failures_in_window=lock.failures if lock is not None else failures,
            max_failures=rule.max_failures,
            window_hours=rule.window_hours,
            locked_at=lock.locked_at if lock is not None else None,
            origin=lock.origin if lock is not None else "",
            lock_id=lock.lock_id if lock is not None else None,
        )

    def refuse_if_locked(
        self,
        uow: UnitOfWork,
        session: Session,
        customer_id: int,
        case_id: int,
        ver: VerificationRecord | None,
    ) -> None:
        """Raise :class:`VerificationLocked` (after recording the refusal) if a lock is in force."""
        lock = self.active(uow, customer_id)
        if lock is not None:
            self._refuse_locked(uow, session, lock, case_id, ver)
            raise self.locked_error()

    def _refuse_locked(
        self,
        uow: UnitOfWork,
        session: Session,
        lock: LockRecord,
        case_id: int,
        ver: VerificationRecord | None,
    ) -> None:
        """Record the refusal of a step on a locked customer, and first the lock itself if only
        the wrong answers of several desks, put together, imply it (no desk recorded it)."""
        if lock.lock_id is None:
            rule = self._rules.lockout
            lock_id = uow.verifications.add_lock(
                lock.customer_id,
                at=lock.locked_at,  # when it happened, so an unlock made since still lifts it
                failures=lock.failures,
                verification_id=ver.verification_id if ver is not None else None,
            )
            record(
                uow,
                self._clock,
                session,
                "verification.locked",
                customer_id=lock.customer_id,
                case_id=case_id,
                details={
                    "verification_id": ver.verification_id if ver is not None else None,
                    "lock_id": lock_id,
                    "failures": lock.failures,
                    "window_hours": rule.window_hours,
                    "clause": rule.clause.key,
                    "across_desks": True,
                },
            )
        record_refusal(uow, self._clock, session, lock.customer_id, case_id, ver, "locked")

    def lock_if_due(
        self, uow: UnitOfWork, session: Session, ver: VerificationRecord, now: datetime
    ) -> None:
        """After a wrong answer: lock the customer and end the verification if the wrong answers
        in the window have reached the limit."""
        rule = self._rules.lockout
        failures = self.failures(uow, ver.customer_id, now)
        if not should_lock(failures, now, rule):
            return
        count = failures_in_window(failures, now, rule)
        lock_id = uow.verifications.add_lock(
            ver.customer_id, at=now, failures=count, verification_id=ver.verification_id
        )
        uow.verifications.end(ver.verification_id, at=now, reason="locked")
        record(
            uow,
            self._clock,
            session,
            "verification.locked",
            customer_id=ver.customer_id,
            case_id=ver.case_id,
            details={
                "verification_id": ver.verification_id,
                "lock_id": lock_id,
                "failures": count,
                "window_hours": rule.window_hours,
                "clause": rule.clause.key,
            },
        )

    def lock_for(
        self, uow: UnitOfWork, session: Session, customer_id: int, cause: str, now: datetime
    ) -> int | None:
        """Lock the customer as after the limit of wrong answers, for another ``cause`` (the
        search-probing tripwire); None if a lock is in force already. Lifted like any lock."""
        if self.active(uow, customer_id) is not None:
            return None
        rule = self._rules.lockout
        lock_id = uow.verifications.add_lock(
            customer_id, at=now, failures=rule.max_failures, verification_id=None
        )
        record(
            uow,
            self._clock,
            session,
            "verification.locked",
            customer_id=customer_id,
            details={
                "verification_id": None,
                "lock_id": lock_id,
                "failures": rule.max_failures,
                "window_hours": rule.window_hours,
                "clause": rule.clause.key,
                "cause": cause,
            },
        )
        return lock_id

    def unlock(
        self, uow: UnitOfWork, session: Session, customer_id: int, reason: str, now: datetime
    ) -> LockView:
        """Lift the lock in force (raises :class:`NothingToUnlock` if there is none)."""
        lock = self.active(uow, customer_id)
        if lock is None:
            raise NothingToUnlock(f"Verification of customer {customer_id} is not locked.")
        if session.signing_key is None:
            raise PermissionDenied("signing key: sign in again to sign the unlock")
        effective_at = unlock_effective_at(now, lock)
        signer = session.staff.username
        signature = signing.sign(
            session.signing_key,
            signing.unlock_bytes(
                customer_id=customer_id,
                unlocked_at=now,
                effective_at=effective_at,
                reason=reason,
                lock_origin=lock.origin,
                lock_id=lock.lock_id,
                signed_by=signer,
            ),
        )
        unlock_id = uow.verifications.add_unlock(
            customer_id,
            at=now,
            effective_at=effective_at,
            staff_id=session.staff.staff_id,
            reason=reason,
            lock=lock,
            signed_by=signer,
            signature=signature,
        )
        record(
            uow,
            self._clock,
            session,
            "verification.unlocked",
            customer_id=customer_id,
            details={
                "unlock_id": unlock_id,
                "lock_id": lock.lock_id,
                "lock_origin": lock.origin or None,
                "failures": lock.failures,
                "reason_chars": len(reason),
            },
        )
        return self.view(uow, customer_id, now)

    def locked_error(self) -> VerificationLocked:
        rule = self._rules.lockout
        return VerificationLocked(
            f"Verification of this customer is locked after {rule.max_failures} wrong answers "
            f"within {rule.window_hours} hours; a supervisor must unlock it."
        )
