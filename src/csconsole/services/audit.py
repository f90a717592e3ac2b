"""Appending audit events from a use case, inside its unit of work."""

from __future__ import annotations

from collections.abc import Mapping

from csconsole.domain.errors import SessionEnded
from csconsole.services.auth import Session, session_changes
from csconsole.services.ports import Clock, DetailValue, UnitOfWork


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
    """Append one event for the signed-in person; returns the new chain head.

    The person's staff row is read in the same transaction: if a sync changed it since the
    sign-in (``AuthService.still_signed_in``), ``SessionEnded`` is raised and the use case's
    writes roll back with the event, so nothing is recorded under a stale id or role, even
    before the window's check after the sync has signed the person out."""
    if session_changes(uow.staff.by_username(session.staff.username), session.staff):
        raise SessionEnded(
            "Your sign-in no longer matches the staff list (a sync or an admin changed your "
            "account), so nothing was recorded. Sign in again."
        )
    return uow.audit.append(
        at=clock.now(),
        actor=session.staff.username,
        role=session.staff.role.value,
        action=action,
        customer_id=customer_id,
        case_id=case_id,
        details=details,
    )
