"""Wiring of the search-probing tripwire (``services/search_probing.py``): the lean unit of work
with its repository, the profile's thresholds loaded on first need, and the verification lockout
(the ORM unit of work) used only when the tripwire fires."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csconsole.persistence.repositories.search_probing import ProbingUnitOfWorkFactory
from csconsole.services.search_probing import LOCK_CAUSE, SearchProbingService

if TYPE_CHECKING:
    from csconsole.app.console import Console
    from csconsole.domain.probing import ProbingThresholds
    from csconsole.services.auth import Session


def search_probing(console: Console) -> SearchProbingService:
    def thresholds() -> ProbingThresholds:
        return console.profile.search_probing.thresholds

    def lock_customer(session: Session, customer_id: int, _stop_id: int) -> int | None:
        from csconsole.services.verification.lockout import Lockout

        lockout = Lockout(console.clock, console.profile.verification)
        with console.uow() as uow:
            lock_id = lockout.lock_for(uow, session, customer_id, LOCK_CAUSE, console.clock.now())
            uow.commit()
        return lock_id

    factory = ProbingUnitOfWorkFactory(console.cache.connect, console.workstation, console.clock)
    return SearchProbingService(
        factory, console.clock, thresholds, lock_customer, console.lookup.identifiers
    )
