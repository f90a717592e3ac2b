"""Session-per-use-case: a unit of work owns one SQLAlchemy session and its repositories."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from csconsole.domain.audit_chain import GENESIS_HASH, AuditEntry, chain_hash
from csconsole.domain.audit_integrity import ACK_ACTION, BREAK_EXEMPT_ACTIONS, IntegrityReport
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.domain.staff import Role
from csconsole.persistence.ledger.capture import capture_ledger_records
from csconsole.persistence.models import AuditEvent, Staff
from csconsole.persistence.models.base import aware_utc
from csconsole.persistence.repositories.audit_guard import AuditGuard
from csconsole.persistence.repositories.cases import SqlCaseRepository
from csconsole.persistence.repositories.customer_records import SqlCustomerRecords
from csconsole.persistence.repositories.outbox import SqlOutbox
from csconsole.persistence.repositories.verification import SqlVerificationRepository
from csconsole.services.ports import Clock, DetailValue, StaffRecord


class SqlStaffRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    def by_username(self, username: str) -> StaffRecord | None:
        row = self._s.scalars(select(Staff).where(Staff.username == username)).one_or_none()
        if row is None:
            return None
        return StaffRecord(
            staff_id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            password_hash=row.password_hash,
            failed_attempts=row.failed_attempts,
            last_failure_at=row.last_failure_at,
            active=row.active,
        )

    def add(self, username: str, display_name: str, role: Role, password_hash: str) -> int:
        row = Staff(
            username=username,
            display_name=display_name,
            role=role.value,
            password_hash=password_hash,
            failed_attempts=0,
            active=True,
            created_at=self._clock.now(),
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def record_failure(self, staff_id: int, at: datetime) -> None:
        row = self._s.get_one(Staff, staff_id)
        row.failed_attempts += 1
        row.last_failure_at = at

    def record_success(self, staff_id: int, password_hash: str | None) -> None:
        row = self._s.get_one(Staff, staff_id)
        row.failed_attempts = 0
        row.last_failure_at = None
        if password_hash:
            row.password_hash = password_hash

    def count(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(Staff)) or 0)


class SqlAuditLog:
    """Appends chained events in the caller's transaction (so the action and its event commit
    together). SQLite serialises writers, so reading the head then inserting cannot race."""

    def __init__(self, session: Session, workstation: str, clock: Clock) -> None:
        self._s = session
        self._workstation = workstation
        self._clock = clock
        self._guard = AuditGuard(session)

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        role: str,
        action: str,
        customer_id: int | None = None,
        case_id: int | None = None,
        details: Mapping[str, DetailValue] | None = None,
    ) -> str:
        self._lock_chain()
        # Refuse to grow a broken chain (sign-ins excepted, see domain.audit_integrity); the
        # check reads only the events since the last verified checkpoint.
        intact = not self._guard.head_report().needs_acknowledgement
        if not intact and action not in BREAK_EXEMPT_ACTIONS:
            self._guard.require_intact()
        seq, digest = self._write(at, actor, role, action, customer_id, case_id, details)
        if intact:
            self._guard.advance(seq, digest, at)
        return digest

    def _lock_chain(self) -> None:
        """Take the cache's write lock before reading the chain's head.

        The driver begins a transaction only at the first write, so without this another thread
        or process could append between our read of the head and our insert (a duplicate seq).
        An UPDATE that matches no row still takes SQLite's RESERVED lock.
        """
        self._s.execute(text("UPDATE audit_event SET seq = seq WHERE 0"))

    def _write(
        self,
        at: datetime,
        actor: str,
        role: str,
        action: str,
        customer_id: int | None,
        case_id: int | None,
        details: Mapping[str, DetailValue] | None,
    ) -> tuple[int, str]:
        head = self._s.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
            at=aware_utc(at),
            actor=actor,
            role=role,
            workstation=self._workstation,
            action=action,
            customer_id=customer_id,
            case_id=case_id,
            details=dict(details or {}),
        )
        digest = chain_hash(prev, entry)
        self._s.add(
            AuditEvent(
                seq=seq,
                at=entry.at,
                actor=actor,
                role=role,
                workstation=self._workstation,
                action=action,
                customer_id=customer_id,
                case_id=case_id,
                details=json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                prev_hash=prev,
                hash=digest,
            )
        )
        self._s.flush()
        return seq, digest

    # --- integrity (services.case_ports.AuditIntegrity) ----------------------------------------

    def head_report(self) -> IntegrityReport:
        return self._guard.head_report()

    def full_report(self) -> IntegrityReport:
        return self._guard.full_report()

    def mark_broken(self, report: IntegrityReport) -> None:
        self._guard.mark_broken(report, self._clock.now())

    def append_acknowledgement(
        self, *, at: datetime, actor: str, role: str, details: dict[str, str | int | None]
    ) -> str:
        self._lock_chain()
        seq, digest = self._write(at, actor, role, ACK_ACTION, None, None, details)
        self._guard.advance(seq, digest, at)
        return digest

    def search(self, audit_filter: AuditFilter) -> list[AuditEventView]:
        return self._guard.search(audit_filter)


class SqlUnitOfWork:
    def __init__(self, factory: sessionmaker[Session], workstation: str, clock: Clock) -> None:
        self._factory = factory
        self._workstation = workstation
        self._clock = clock

    def __enter__(self) -> Self:
        self.session = self._factory()
        self.staff = SqlStaffRepository(self.session, self._clock)
        self.audit = SqlAuditLog(self.session, self._workstation, self._clock)
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
    capture_ledger_records(factory, clock)  # staff changes travel to the central ledger
    return SqlUnitOfWorkFactory(factory, workstation, clock)


class SqlUnitOfWorkFactory:
    def __init__(self, factory: sessionmaker[Session], workstation: str, clock: Clock) -> None:
        self._factory = factory
        self._workstation = workstation
        self._clock = clock

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, self._workstation, self._clock)
