"""The two ways to append an audit event, and the only places that call the audit log's append
(``tests/services/test_audit_paths.py`` scans the package to keep it so).

- :func:`record` (and :func:`record_acknowledgement`) for anything a signed-in person does: the
  person's staff row is checked in the same transaction first.
- :func:`record_system_event` for events without a signed-in person to check: sign-in attempts
  (no session yet), the forced sign-out of a stale session, the first accounts of an empty
  cache, a desk set up before it has staff, and a sync's own events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from csconsole.domain.errors import SessionEnded
from csconsole.domain.staff import StaffMember
from csconsole.services.ports import (
    AuditLog,
    Clock,
    DetailValue,
    StaffRecord,
    StaffRepository,
    UnitOfWork,
)

if TYPE_CHECKING:  # services.auth records sign-ins through this module
    from csconsole.services.auth import Session

# The role recorded for events no person did (a sync, the bootstrap of the first accounts).
SYSTEM_ROLE = "system"


class RecordingUnitOfWork(Protocol):
    """What :func:`record` needs of a unit of work: the staff list to check the session
    against, and the audit log, in one transaction."""

    @property
    def staff(self) -> StaffRepository: ...
    @property
    def audit(self) -> AuditLog: ...


def session_changes(record: StaffRecord | None, staff: StaffMember) -> list[str]:
    """What no longer matches between a signed-in person and their staff row now: "missing",
    "inactive", "id", "role" (empty: the session is current)."""
    if record is None:
        return ["missing"]
    changed: list[str] = []
    if not record.active:
        changed.append("inactive")
    if record.staff_id != staff.staff_id:
        changed.append("id")
    if record.role is not staff.role:
        changed.append("role")
    return changed


def require_current(uow: RecordingUnitOfWork, session: Session) -> None:
    """Raise ``SessionEnded`` unless ``session`` still matches its staff row in ``uow``'s
    transaction (``AuthService.still_signed_in``): a sync may have re-keyed, deactivated or
    changed the person (a revoked role) since the sign-in."""
    if session_changes(uow.staff.by_username(session.staff.username), session.staff):
        raise SessionEnded(
            "Your sign-in no longer matches the staff list (a sync or an admin changed your "
            "account), so nothing was recorded. Sign in again."
        )


def record(
    uow: RecordingUnitOfWork,
    clock: Clock,
    session: Session,
    action: str,
    *,
    customer_id: int | None = None,
    case_id: int | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> str:
    """Append one event for the signed-in person; returns the new chain head.

    The person's staff row is read in the same transaction (:func:`require_current`): if a sync
    changed it since the sign-in, ``SessionEnded`` is raised and the use case's writes roll back
    with the event, so nothing is recorded under a stale id or role, even before the window's
    check after the sync has signed the person out."""
    require_current(uow, session)
    return uow.audit.append(
        at=clock.now(),
        actor=session.staff.username,
        role=session.staff.role.value,
        action=action,
        customer_id=customer_id,
        case_id=case_id,
        details=details,
    )


def record_acknowledgement(
    uow: UnitOfWork,
    clock: Clock,
    session: Session,
    details: Mapping[str, str | int | None],
) -> str:
    """Append a supervisor's acknowledgement of a broken trail (the one event a broken chain
    accepts besides sign-ins), after the same check as :func:`record`."""
    require_current(uow, session)
    return uow.audit_integrity.append_acknowledgement(
        at=clock.now(),
        actor=session.staff.username,
        role=session.staff.role.value,
        details=dict(details),
    )


def record_system_event(
    audit: AuditLog,
    *,
    at: datetime,
    actor: str,
    action: str,
    role: str = SYSTEM_ROLE,
    customer_id: int | None = None,
    case_id: int | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> str:
    """Append one event that no signed-in person's session stands behind, so nothing is
    checked (see the module's docstring for who may). ``actor`` names who it is about or
    what did it ("system", a sync's desk, the user name tried at a sign-in)."""
    return audit.append(
        at=at,
        actor=actor,
        role=role,
        action=action,
        customer_id=customer_id,
        case_id=case_id,
        details=details,
    )
