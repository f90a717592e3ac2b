"""Settling push conflicts: a person looks at what the shop holds, what the rep saw and what
the rep wanted, and keeps the shop's value or sends the change again. Never automatic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from csconsole.domain.errors import CsConsoleError, NotFound
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.outbox import ConflictView, Resolution, Status
from csconsole.services.ports import AuditLog, Clock, OutboxItem, StaffRepository

OPEN_LIMIT = 200  # open conflicts listed at once, oldest first


class AlreadySettled(CsConsoleError):
    """Somebody (or an earlier run of the same command) settled the conflict already."""


class ConflictOutbox(Protocol):
    def enqueue(self, item: OutboxItem) -> int: ...
    def open_conflicts(self, limit: int = 200) -> list[ConflictView]: ...
    def conflict(self, conflict_id: int) -> ConflictView | None: ...
    def settle(
        self, conflict_id: int, *, resolution: str, by: str, at: datetime, status: Status
    ) -> None: ...


class ConflictUnitOfWork(Protocol):
    # The settling person's row, checked before anything is recorded.
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def audit(self) -> AuditLog: ...
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


class ConflictService:
    def __init__(self, uow: Callable[[], ConflictUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def open(self, session: Session) -> list[ConflictView]:
        """The conflicts waiting for a person. They show personal data (the shop's value, what
        the rep saw and wanted), so each look is audited: the count and the ids, no values."""
        session.require(Permission.REVIEW)
        with self._uow() as uow:
            conflicts = uow.outbox.open_conflicts(OPEN_LIMIT)
            record(
                uow,
                self._clock,
                session,
                "sync.conflicts_viewed",
                details={
                    "count": len(conflicts),
                    "conflict_ids": ",".join(str(c.conflict_id) for c in conflicts),
                },
            )
            uow.commit()
        return conflicts

    def settle(self, session: Session, conflict_id: int, resolution: Resolution) -> int | None:
        """Keep the shop's value, or queue the change again checked against the shop's value
        now (returns the new outbox id). Audited with the ids, never the values."""
        session.require(Permission.REVIEW)
        with self._uow() as uow:
            found = uow.outbox.conflict(conflict_id)
            if found is None:
                raise NotFound(f"There is no sync conflict {conflict_id}.")
            if found.kind == "ledger_record":
                raise ValueError("ledger conflicts are settled by the central ledger")
            if found.settled:
                raise AlreadySettled(f"Sync conflict {conflict_id} is already settled.")
            new_id = None
            if resolution is Resolution.APPLY_MINE:
                new_id = uow.outbox.enqueue(
                    OutboxItem(
                        kind=found.kind,
                        entity=found.entity,
                        entity_key=found.entity_key,
                        changes=found.changes,
                        expected={k: found.shop_values.get(k) for k in found.expected},
                        idempotency_key=f"conflict:{conflict_id}:{found.outbox_id}",
                        case_id=found.case_id,
                    )
                )
            status = Status.REQUEUED if new_id is not None else Status.DISCARDED
            uow.outbox.settle(
                conflict_id,
                resolution=resolution.value,
                by=session.staff.username,
                at=self._clock.now(),
                status=status,
            )
            record(
                uow,
                self._clock,
                session,
                "sync.conflict_settled",
                customer_id=_customer_of(found),
                case_id=found.case_id,
                details={
                    "conflict_id": conflict_id,
                    "outbox_id": found.outbox_id,
                    "resolution": resolution.value,
                    "new_outbox_id": new_id,
                },
            )
            uow.commit()
        return new_id


def _customer_of(conflict: ConflictView) -> int | None:
    """The customer a conflict is about, when its record is the customer row itself (so the
    audit browser's customer filter finds the settling)."""
    if conflict.entity == "customer" and conflict.entity_key.isdigit():
        return int(conflict.entity_key)
    return None
