"""Who may act on a case's verification, and the audit record of a step that was refused."""

from __future__ import annotations

from csconsole.domain.errors import NotFound, PermissionDenied
from csconsole.domain.staff import Permission
from csconsole.domain.verification import VerificationError, VerificationRecord
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWork


def own_verification(uow: UnitOfWork, session: Session, verification_id: int) -> VerificationRecord:
    """A verification belongs to the rep who is on the call with the caller."""
    ver = uow.verifications.get(verification_id)
    if ver is None:
        raise NotFound(f"There is no verification {verification_id}.")
    if ver.staff_id != session.staff.staff_id:
        raise PermissionDenied(f"Verification {verification_id} belongs to another rep's call.")
    return ver


def case_customer(uow: UnitOfWork, session: Session, case_id: int) -> int:
    """The customer of a case the signed-in person may work on."""
    case = uow.cases.get(case_id)
    if case is None:
        raise NotFound(f"There is no case {case_id}.")
    check_case_access(session, case.owner)
    if case.customer_id is None:
        raise VerificationError(f"Case {case_id} has no customer.")
    return case.customer_id


def check_case_access(session: Session, owner: str) -> None:
    if owner == session.staff.username:
        return
    try:
        session.require(Permission.VIEW_ALL_CASES)
    except PermissionDenied:
        raise PermissionDenied("This case is in another rep's queue.") from None


def record_refusal(
    uow: UnitOfWork,
    clock: Clock,
    session: Session,
    customer_id: int,
    case_id: int,
    ver: VerificationRecord | None,
    reason: str,
) -> None:
    """Record a refused step, then commit (the caller raises afterwards, which would otherwise
    roll the record back)."""
    record(
        uow,
        clock,
        session,
        "verification.refused",
        customer_id=customer_id,
        case_id=case_id,
        details={
            "verification_id": ver.verification_id if ver is not None else None,
            "reason": reason,
        },
    )
    uow.commit()
