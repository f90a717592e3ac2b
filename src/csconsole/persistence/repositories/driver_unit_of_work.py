"""The lean unit of work: the staff list and the audit log only
(``services.ports.StaffAuditUnitOfWork``), on a driver connection of the cache, without
SQLAlchemy. Sign-in and the audited reads around a search use it, so ``csconsole search``
starts without loading the ORM and every model (docs/benchmarks.md, start-up).

The repositories are the ORM unit of work's own (``staff``, ``audit_log``), so the checks of
the signed-in session (``services.audit``) and the chain's one writer are the same here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from csconsole.persistence.repositories.audit_log import SqlAuditLog
from csconsole.persistence.repositories.staff import SqlStaffRepository
from csconsole.persistence.repositories.statements import DriverStatements
from csconsole.services.ports import Clock

# A keyed DB-API connection of the cache in the driver's default transaction mode
# (``persistence.cache.engine.CacheFile.connect``); the unit of work closes it.
Connect = Callable[[], Any]


@dataclass(frozen=True, slots=True)
class DriverUnitOfWorkFactory:
    """Implements ``services.ports.StaffAuditUnitOfWorkFactory``."""

    connect: Connect
    workstation: str
    clock: Clock

    def __call__(self) -> DriverUnitOfWork:
        return DriverUnitOfWork(self)


class DriverUnitOfWork:
    """One transaction on its own connection, closed at the end."""

    def __init__(self, factory: DriverUnitOfWorkFactory) -> None:
        self._factory = factory

    def __enter__(self) -> Self:
        f = self._factory
        self._conn = f.connect()
        statements = DriverStatements(self._conn)
        self.staff = SqlStaffRepository(statements, f.clock)
        self.audit = SqlAuditLog(statements, f.workstation, f.clock)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Anything not committed explicitly is rolled back, including on errors.
        try:
            self._conn.rollback()
        finally:
            self._conn.close()

    def commit(self) -> None:
        self._conn.commit()
