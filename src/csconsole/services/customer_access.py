"""The audited reads around a search: opening a customer's masked panel, and recording a search
whose results settled on screen or were printed by ``csconsole search``. Each is its own unit of
work with its audit event."""

from __future__ import annotations

from collections.abc import Sequence

from csconsole.domain.customers import CustomerHit, CustomerSummary
from csconsole.domain.lookup import ParsedQuery
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, StaffAuditUnitOfWorkFactory
from csconsole.services.search import SearchService


class CustomerAccessService:
    """What the window and the ``search`` command do with a search's results."""

    def __init__(
        self, uow: StaffAuditUnitOfWorkFactory, clock: Clock, search: SearchService
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._search = search

    def require(self, session: Session, permission: Permission, channel: str) -> None:
        """``session.require(permission)`` for a look at customer data; a refusal is audited
        (``customer.search_refused`` or ``customer.view_refused``) before it is raised."""
        if session.may(permission):
            return
        action = (
            "customer.search_refused"
            if permission is Permission.SEARCH
            else ("customer.view_refused")
        )
        with self._uow() as uow:
            record(
                uow,
                self._clock,
                session,
                action,
                details={"reason": f"no {permission.value} permission", "channel": channel},
            )
            uow.commit()
        session.require(permission)

    def open_customer(
        self, session: Session, customer_id: int, channel: str
    ) -> CustomerSummary | None:
        """The masked summary (None if a sync removed the customer); the view is audited."""
        self.require(session, Permission.VIEW_CUSTOMER, channel)
        summary = self._search.summary(customer_id)
        if summary is None:
            return None
        with self._uow() as uow:
            record(
                uow,
                self._clock,
                session,
                "customer.view_masked",
                customer_id=customer_id,
                details={"channel": channel},
            )
            uow.commit()
        return summary

    def record_search(
        self,
        session: Session,
        query: ParsedQuery,
        hits: Sequence[CustomerHit],
        channel: str,
    ) -> None:
        """One audit event for a settled search: its kind and who came back, never the text."""
        self.require(session, Permission.SEARCH, channel)
        with self._uow() as uow:
            record(
                uow,
                self._clock,
                session,
                "customer.search",
                details={
                    "query_kind": query.kind,
                    "results": len(hits),
                    "customer_ids": ",".join(str(h.customer_id) for h in hits[:20]),
                    "channel": channel,
                },
            )
            uow.commit()
