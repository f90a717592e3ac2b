"""The customer's data, unmasked as far as the caller's verification allows.

Each view is an audit event (``customer.view_unmasked``) naming the verification, the level and
the sections shown. The verification must be this rep's, on this case, still open (not ended,
expired or locked): it belongs to the call it was made on.
"""

from __future__ import annotations

from csconsole.domain.errors import NotFound, PermissionDenied
from csconsole.domain.policy import PolicyProfile, VerificationLevel
from csconsole.domain.staff import Permission
from csconsole.domain.unmasking import UnmaskedCustomer, unmasked_view
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from csconsole.services.verification import current_lock


class UnmaskService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, profile: PolicyProfile
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._rules = profile.verification

    def view(self, session: Session, case_id: int, *, channel: str = "ui") -> UnmaskedCustomer:
        """The unmasked view; a refusal (no permission, not verified, locked) is audited as
        ``customer.view_refused`` before it is raised."""
        now = self._clock.now()
        with self._uow() as uow:
            if not session.may(Permission.VIEW_CUSTOMER):
                self._refused(uow, session, None, case_id, "no view_customer permission", channel)
                session.require(Permission.VIEW_CUSTOMER)
            case = uow.cases.get(case_id)
            if case is None:
                raise NotFound(f"There is no case {case_id}.")
            if case.customer_id is None:
                raise NotFound(f"Case {case_id} has no customer.")
            customer_id = case.customer_id
            usable = [
                ver
                for ver in uow.verifications.for_case(case_id)
                if ver.staff_id == session.staff.staff_id and ver.in_force(now)
            ]
            locked = current_lock(uow, customer_id, self._rules) is not None
            best = max(
                usable,
                key=lambda ver: ver.level(self._rules).rank,
                default=None,
            )
            level = best.level(self._rules) if best is not None and not locked else None
            if best is None or level is None or not level.satisfies(VerificationLevel.STANDARD):
                reason = "locked" if locked else "not verified"
                self._refused(uow, session, customer_id, case_id, reason, channel)
                raise PermissionDenied(
                    "The caller is not verified on this case, so the customer's data stays masked."
                )
            details = uow.customer_records.details(customer_id)
            if details is None:
                raise NotFound("This customer is no longer in the local cache.")
            view = unmasked_view(details, level)
            record(
                uow,
                self._clock,
                session,
                "customer.view_unmasked",
                customer_id=customer_id,
                case_id=case_id,
                details={
                    "verification_id": best.verification_id,
                    "level": level.value,
                    "sections": ",".join(view.sections),
                    "channel": channel,
                },
            )
            uow.commit()
        return view

    def _refused(
        self,
        uow: UnitOfWork,
        session: Session,
        customer_id: int | None,
        case_id: int,
        reason: str,
        channel: str,
    ) -> None:
        record(
            uow,
            self._clock,
            session,
            "customer.view_refused",
            customer_id=customer_id,
            case_id=case_id,
            details={"reason": reason, "channel": channel},
        )
        uow.commit()
