"""The audited reads around a search: opening a customer's masked panel, and recording a search
whose results settled on screen. Each is its own unit of work with its audit event."""

from __future__ import annotations

from collections.abc import Sequence

from csconsole.domain.customers import CustomerHit, CustomerSummary
from csconsole.domain.lookup import ParsedQuery
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWorkFactory
from csconsole.services.search import SearchService, audit_search, open_customer


class CustomerAccessService:
    """What the window does with a search's results, through the same use cases as the
    commands (``services.search.audit_search`` and ``open_customer``)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, search: SearchService) -> None:
        self._uow = uow
        self._clock = clock
        self._search = search

    def open_customer(
        self, session: Session, customer_id: int, channel: str
    ) -> CustomerSummary | None:
        """The masked summary (None if a sync removed the customer); the view is audited."""
        return open_customer(self._uow, self._clock, session, self._search, customer_id, channel)

    def record_search(
        self,
        session: Session,
        query: ParsedQuery,
        hits: Sequence[CustomerHit],
        channel: str,
    ) -> None:
        """One audit event for a settled search: its kind and who came back, never the text."""
        audit_search(self._uow, self._clock, session, query, hits, channel)
