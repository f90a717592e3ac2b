"""Appending audit events from a use case, inside its unit of work."""

from __future__ import annotations

from collections.abc import Mapping

from .auth import Session
from .ports import Clock, DetailValue, UnitOfWork


def record(
    uow: UnitOfWork,
    clock: Clock,
    session: Session,
    action: str,
    *,
    customer_id: int | None = None,
    case_id: int | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> str:
    """Append one event for the signed-in person; returns the new chain head."""
    return uow.audit.append(
        at=clock.now(),
        actor=session.staff.username,
        role=session.staff.role.value,
        action=action,
        customer_id=customer_id,
        case_id=case_id,
        details=details,
    )
