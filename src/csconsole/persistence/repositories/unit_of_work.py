"""Session-per-use-case: a unit of work owns one SQLAlchemy session and its repositories.

The staff list and the audit log are plain SQL shared with the lean unit of work of sign-in
(``driver_unit_of_work``); they run here in the session's transaction (:class:`SessionStatements`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from csconsole.persistence.ledger.capture import capture_ledger_records
from csconsole.persistence.repositories.audit_log import SqlAuditLog
from csconsole.persistence.repositories.cases import SqlCaseRepository
from csconsole.persistence.repositories.customer_records import SqlCustomerRecords
from csconsole.persistence.repositories.outbox import SqlOutbox
from csconsole.persistence.repositories.staff import SqlStaffRepository
from csconsole.persistence.repositories.statements import Params
from csconsole.persistence.repositories.verification import SqlVerificationRepository
from csconsole.services.ports import Clock


class SessionStatements:
    """``statements.Statements`` in an ORM session's transaction. Each statement flushes the
    session first, as an ORM query would, so an event is written after the changes it records."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Sequence[Any]]:
        self._s.flush()
        return self._s.execute(text(sql), dict(params or {}))

    def run(self, sql: str, params: Params | None = None) -> None:
        self._s.flush()
        self._s.execute(text(sql), dict(params or {}))


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session], workstation: str, clock: Clock) -> None:
        self._factory = factory
        self._workstation = workstation
        self._clock = clock

    def __enter__(self) -> Self:
        self.session = self._factory()
        statements = SessionStatements(self.session)
        self.staff = SqlStaffRepository(statements, self._clock)
        self.audit = SqlAuditLog(statements, self._workstation, self._clock)
        self.audit_integrity = self.audit
        self.cases = SqlCaseRepository(self.session)
        self.verifications = SqlVerificationRepository(self.session)
        self.customer_records = SqlCustomerRecords(self.session)
        self.outbox = SqlOutbox(self.session, self._clock)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Anything not committed explicitly is rolled back, including on errors.
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()


def unit_of_work_factory(engine: Engine, workstation: str, *, clock: Clock) -> SqlUnitOfWorkFactory:
    """Units of work on ``engine``; "now" for the times they stamp themselves (a staff row's
    creation, an outbox row, a broken chain's mark) comes from ``clock``."""
    factory = sessionmaker(engine, expire_on_commit=False)
    capture_ledger_records(factory, clock)  # owned records travel to the central ledger
    return SqlUnitOfWorkFactory(factory, workstation, clock)


class SqlUnitOfWorkFactory:
    def __init__(self, factory: sessionmaker[Session], workstation: str, clock: Clock) -> None:
        self._factory = factory
        self._workstation = workstation
        self._clock = clock

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, self._workstation, self._clock)
