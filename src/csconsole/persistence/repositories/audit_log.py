"""The audit log (implements ``services.ports.AuditLog`` and
``services.case_ports.AuditIntegrity``): appends chained events in the caller's transaction, so
an action and its event commit together.

Plain SQL (``statements.Statements``): the ORM unit of work and the lean one of sign-in and
``csconsole search`` append through this one writer, with the one chain hash
(``domain.audit_chain.chain_hash``) and the same checks (``audit_guard``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from csconsole.domain.audit_chain import GENESIS_HASH, AuditEntry, chain_hash
from csconsole.domain.audit_integrity import ACK_ACTION, BREAK_EXEMPT_ACTIONS, IntegrityReport
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.persistence.repositories.audit_guard import AuditGuard
from csconsole.persistence.repositories.statements import Statements
from csconsole.persistence.stored_time import aware_utc, sql_time
from csconsole.services.ports import Clock, DetailValue

# An UPDATE that matches no row still takes SQLite's RESERVED (write) lock.
_SQL_LOCK = "UPDATE audit_event SET seq = seq WHERE 0"
_SQL_HEAD = "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
_SQL_INSERT = (
    "INSERT INTO audit_event (seq, at, actor, role, workstation, action, customer_id, case_id,"
    " details, prev_hash, hash) VALUES (:seq, :at, :actor, :role, :workstation, :action,"
    " :customer_id, :case_id, :details, :prev_hash, :hash)"
)


class SqlAuditLog:
    """SQLite serialises writers, so reading the head then inserting cannot race (the write
    lock is taken first, :meth:`_lock_chain`)."""

    def __init__(self, statements: Statements, workstation: str, clock: Clock) -> None:
        self._sql = statements
        self._workstation = workstation
        self._clock = clock
        self._guard = AuditGuard(statements)

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
        """
        self._sql.run(_SQL_LOCK)

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
        head = list(self._sql.rows(_SQL_HEAD))
        seq, prev = (int(head[0][0]) + 1, str(head[0][1])) if head else (1, GENESIS_HASH)
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
        self._sql.run(
            _SQL_INSERT,
            {
                "seq": seq,
                "at": sql_time(entry.at),
                "actor": actor,
                "role": role,
                "workstation": self._workstation,
                "action": action,
                "customer_id": customer_id,
                "case_id": case_id,
                "details": json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                "prev_hash": prev,
                "hash": digest,
            },
        )
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
