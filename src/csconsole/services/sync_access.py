"""Who may point a desk at a shop database and run a sync from the command line, and the
audit event of a connection change.

A desk whose cache holds no staff yet (a new desk before its first sync brings the staff from
the central ledger, or a demo before its staff are made) is set up without a sign-in; once
staff exist, ``connect`` needs an admin and ``sync`` any signed-in person.
"""

from __future__ import annotations

from csconsole.domain.errors import PermissionDenied
from csconsole.domain.staff import Permission
from csconsole.services.audit import record, record_system_event
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWorkFactory

CONNECTION_CHANGED = "sync.connection_changed"


class SyncAccess:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    def needs_sign_in(self) -> bool:
        with self._uow() as uow:
            return uow.staff.count() > 0

    def authorize_sync(self, session: Session | None) -> None:
        if session is None:
            if self.needs_sign_in():
                raise PermissionDenied("sign in to sync (CSCONSOLE_USER / CSCONSOLE_PASSWORD)")
            return
        session.require(Permission.SYNC)

    def authorize_connection(self, session: Session | None) -> None:
        if session is None:
            if self.needs_sign_in():
                raise PermissionDenied(
                    "sign in as an admin to change the shop connection "
                    "(CSCONSOLE_USER / CSCONSOLE_PASSWORD)"
                )
            return
        session.require(Permission.CONFIGURE_SYNC)

    def record_connection(
        self, session: Session | None, *, shop: str, mapping: str, ledger: str | None
    ) -> None:
        """One audit event with the URLs as saved (never with a password). Without a session
        (a desk set up before it has staff, see ``authorize_connection``) it is a system event
        by "setup"."""
        details: dict[str, str] = {"shop": shop, "mapping": mapping}
        if ledger is not None:
            details["ledger"] = ledger
        with self._uow() as uow:
            if session is None:
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="setup",
                    action=CONNECTION_CHANGED,
                    details=details,
                )
            else:
                record(uow, self._clock, session, CONNECTION_CHANGED, details=details)
            uow.commit()
