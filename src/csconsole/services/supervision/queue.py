"""The supervisor's queue: what waits on a person who reviews. Verification lockouts to
unlock, push conflicts to settle, and whatever a later capability registers as a
``QueueSource`` (approvals of corrections, disclosures, ...).

Each kind of item is shown only to those who may act on it (its source's permission); the
queue itself needs ``Permission.WORK_QUEUE``. The count (the status bar's) is not audited: it
is a number, no personal data. The list names customers, so each look is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from csconsole.domain.policy import VerificationRules
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.case_ports import VerificationRepository
from csconsole.services.conflicts import OPEN_LIMIT, ConflictOutbox
from csconsole.services.ports import AuditLog, Clock, StaffRepository
from csconsole.services.verification.lockout import current_lock

LOCK_KIND = "verification_lock"
CONFLICT_KIND = "sync_conflict"
MAX_LOCKS = 200  # lockouts listed at once


class SupervisionUnitOfWork(Protocol):
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def verifications(self) -> VerificationRepository: ...
    @property
    def outbox(self) -> ConflictOutbox: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One thing waiting: what it is, since when, and whom it is about (ids only)."""

    kind: str
    key: str  # unique within the kind: the customer of a lock, a conflict's id, ...
    title: str
    detail: str
    waiting_since: datetime
    customer_id: int | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class SupervisorQueue:
    items: tuple[QueueItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    def of_kind(self, kind: str) -> list[QueueItem]:
        return [i for i in self.items if i.kind == kind]


class QueueSource(Protocol):
    """A kind of item a later capability adds to the queue, read in the queue's unit of work."""

    @property
    def kind(self) -> str: ...
    @property
    def permission(self) -> Permission: ...
    def waiting(self, uow: SupervisionUnitOfWork, now: datetime) -> Sequence[QueueItem]: ...


class LockoutSource:
    kind = LOCK_KIND
    permission = Permission.UNLOCK_VERIFICATION

    def __init__(self, rules: VerificationRules) -> None:
        self._rules = rules

    def waiting(self, uow: SupervisionUnitOfWork, now: datetime) -> Sequence[QueueItem]:
        items: list[QueueItem] = []
        for customer_id in uow.verifications.locked_customer_ids(MAX_LOCKS):
            lock = current_lock(uow, customer_id, self._rules)  # type: ignore[arg-type]
            if lock is None:
                continue
            desk = f" on desk {lock.origin}" if lock.origin else ""
            items.append(
                QueueItem(
                    kind=LOCK_KIND,
                    key=str(customer_id),
                    title="Verification locked",
                    detail=f"Customer {customer_id}: {lock.failures} wrong answers{desk}",
                    waiting_since=lock.locked_at,
                    customer_id=customer_id,
                )
            )
        return items


class ConflictSource:
    kind = CONFLICT_KIND
    permission = Permission.REVIEW

    def waiting(self, uow: SupervisionUnitOfWork, now: datetime) -> Sequence[QueueItem]:
        return [
            QueueItem(
                kind=CONFLICT_KIND,
                key=str(c.conflict_id),
                title="Sync conflict",
                detail=f"The shop refused a change of {c.entity.replace('_', ' ')} {c.entity_key}",
                waiting_since=c.detected_at,
                case_id=c.case_id,
            )
            for c in uow.outbox.open_conflicts(OPEN_LIMIT)
            if not c.settled
        ]


class Unlocker(Protocol):
    """``services.verification.VerificationService`` provides it."""

    def unlock(self, session: Session, customer_id: int, reason: str) -> object: ...


class SupervisionService:
    def __init__(
        self,
        uow: Callable[[], SupervisionUnitOfWork],
        clock: Clock,
        rules: VerificationRules,
        unlocker: Unlocker,
        sources: Sequence[QueueSource] = (),
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._unlocker = unlocker
        self._sources: list[QueueSource] = [LockoutSource(rules), ConflictSource(), *sources]

    def register(self, source: QueueSource) -> None:
        """A later capability's kind of item (its approvals)."""
        self._sources.append(source)

    def _collect(self, uow: SupervisionUnitOfWork, session: Session) -> SupervisorQueue:
        now = self._clock.now()
        items = [
            item
            for source in self._sources
            if session.may(source.permission)
            for item in source.waiting(uow, now)
        ]
        items.sort(key=lambda i: i.waiting_since)  # the longest waiting first
        return SupervisorQueue(tuple(items))

    def count(self, session: Session) -> int:
        """How many items wait on this person (the status bar; not audited: a number)."""
        session.require(Permission.WORK_QUEUE)
        with self._uow() as uow:
            return self._collect(uow, session).count

    def unlock(self, session: Session, customer_id: int, reason: str) -> None:
        """Lift a lockout from the queue: the verification service's unlock (its permission,
        reason rules and audit event)."""
        self._unlocker.unlock(session, customer_id, reason)

    def waiting(self, session: Session) -> SupervisorQueue:
        """The items, oldest first; the look is audited with the count and the kinds."""
        session.require(Permission.WORK_QUEUE)
        with self._uow() as uow:
            queue = self._collect(uow, session)
            record(
                uow,
                self._clock,
                session,
                "supervision.queue_viewed",
                details={
                    "count": queue.count,
                    "kinds": ",".join(sorted({i.kind for i in queue.items})),
                },
            )
            uow.commit()
        return queue
