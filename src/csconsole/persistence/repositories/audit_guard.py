"""The audit log's checks: the head before each append (from a verified checkpoint), the whole
trail, the acknowledgement of a break, and reading events back for the audit browser.

Stored events are read as raw SQL values and converted defensively: a tampered row (text in a
number column, a date that is not a date, details that are not JSON) must be reported at its
sequence number, never crash the check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from csconsole.domain.audit_chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainReport,
    chain_hash,
    verify_chain,
)
from csconsole.domain.audit_integrity import (
    AuditChainBroken,
    Checkpoint,
    IntegrityReport,
    assess_trail,
    checkpoint_problem,
)
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.persistence.models.audit_checkpoint import CHECKPOINT_ID, AuditCheckpoint
from csconsole.persistence.models.base import aware_utc, naive_utc

_COLUMNS = (
    "seq, at, actor, role, workstation, action, customer_id, case_id, details, prev_hash, hash"
)
_SQL_AFTER = f"SELECT {_COLUMNS} FROM audit_event WHERE seq > :after ORDER BY seq"  # noqa: S608
_SQL_ONE = f"SELECT {_COLUMNS} FROM audit_event WHERE seq = :seq"  # noqa: S608
# The ledger sync's note of how far the chain was pushed (``replication.state``).
_SQL_PUSHED = "SELECT pushed_key FROM ledger_replica_state WHERE table_name = 'audit_event'"
# Never a real time: a row whose time cannot be read cannot hash to its stored value.
_UNREADABLE_TIME = datetime(1, 1, 1, tzinfo=UTC)


def _int_or_none(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # left as found, so the hash shows the change


def _time(value: Any) -> datetime:
    """A stored time as the driver hands it back (read past the column types, so a tampered
    value cannot stop the check), aware in UTC."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            return _UNREADABLE_TIME
    return aware_utc(value)


def _details(value: Any) -> dict[str, Any]:
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return {"_unreadable": str(value)}
    return loaded if isinstance(loaded, dict) else {"_unreadable": str(value)}


def entry_from_row(row: Any) -> tuple[AuditEntry, str, str]:
    seq = _int_or_none(row[0])
    entry = AuditEntry(
        seq=seq if isinstance(seq, int) else -1,
        at=_time(row[1]),
        actor=str(row[2]),
        role=str(row[3]),
        workstation=str(row[4]),
        action=str(row[5]),
        customer_id=_int_or_none(row[6]),
        case_id=_int_or_none(row[7]),
        details=_details(row[8]),
    )
    return entry, str(row[9]), str(row[10])


class AuditGuard:
    """Reads and moves the checkpoint; checks the chain from it."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def checkpoint(self) -> Checkpoint | None:
        row = self._s.get(AuditCheckpoint, CHECKPOINT_ID)
        if row is None:
            return None
        return Checkpoint(row.seq, row.hash, row.broken_seq, row.problem or "")

    def rows(self, after_seq: int = 0) -> Iterator[tuple[AuditEntry, str, str]]:
        result = self._s.execute(
            text(_SQL_AFTER),
            {"after": after_seq},
        )
        for row in result:
            yield entry_from_row(row)

    def full_report(self) -> IntegrityReport:
        return assess_trail(
            self.rows(), self.checkpoint(), expect_checkpoint=True, pushed_seq=self._pushed_seq()
        )

    def _pushed_seq(self) -> int:
        """The newest event the ledger sync noted as sent (0: never synced)."""
        value = self._s.execute(text(_SQL_PUSHED)).scalar()
        return value if isinstance(value, int) else 0

    def head_report(self) -> IntegrityReport:
        """The events since the checkpoint (the whole trail the first time)."""
        cp = self.checkpoint()
        if cp is None:
            return self.full_report()
        if cp.broken_seq is not None:
            broken = ChainReport(False, cp.seq, cp.hash, cp.broken_seq, cp.problem)
            return IntegrityReport(broken, cp.seq, cp.hash)
        if cp.seq > 0:
            row = self._s.execute(text(_SQL_ONE), {"seq": cp.seq}).first()
            problem = ""
            if row is None or str(row[10]) != cp.hash:
                problem = checkpoint_problem(cp.seq, found=row is not None)
            else:
                entry, prev, digest = entry_from_row(row)
                if chain_hash(prev, entry) != digest:
                    problem = f"event {cp.seq}: content changed after it was written"
            if problem:
                broken = ChainReport(False, cp.seq - 1, cp.hash, cp.seq, problem)
                return IntegrityReport(broken, cp.seq, cp.hash)
        tail = verify_chain(self.rows(cp.seq), start_hash=cp.hash, start_seq=cp.seq + 1)
        return IntegrityReport(tail, cp.seq + tail.events, tail.head)

    def require_intact(self) -> IntegrityReport:
        report = self.head_report()
        if report.needs_acknowledgement:
            raise AuditChainBroken(report.chain.bad_seq, report.chain.problem)
        return report

    def advance(self, seq: int, digest: str, at: datetime) -> None:
        """The event ``seq`` was appended to an intact chain (or acknowledges a break)."""
        row = self._s.get(AuditCheckpoint, CHECKPOINT_ID)
        verified_at = at
        if row is None:
            row = AuditCheckpoint(id=CHECKPOINT_ID, seq=seq, hash=digest, verified_at=verified_at)
            self._s.add(row)
        row.seq, row.hash, row.verified_at = seq, digest, verified_at
        row.broken_seq, row.problem = None, None
        self._s.flush()

    def mark_broken(self, report: IntegrityReport, at: datetime) -> None:
        if not report.needs_acknowledgement:
            return
        row = self._s.get(AuditCheckpoint, CHECKPOINT_ID)
        if row is None:
            row = AuditCheckpoint(
                id=CHECKPOINT_ID,
                seq=0,
                hash=GENESIS_HASH,
                verified_at=at,
            )
            self._s.add(row)
        row.broken_seq = report.chain.bad_seq
        row.problem = report.chain.problem
        self._s.flush()

    def search(self, audit_filter: AuditFilter) -> list[AuditEventView]:
        clauses: list[str] = []
        params: dict[str, str | int] = {}
        f = audit_filter
        if f.actor:
            clauses.append("actor = :actor")
            params["actor"] = f.actor
        if f.customer_id is not None:
            clauses.append("customer_id = :customer_id")
            params["customer_id"] = f.customer_id
        if f.action:
            if f.action.endswith("."):
                clauses.append("substr(action, 1, :n) = :action")
                params["n"] = len(f.action)
            else:
                clauses.append("action = :action")
            params["action"] = f.action
        if f.since is not None:
            clauses.append("at >= :since")
            params["since"] = _sql_time(f.since)
        if f.until is not None:
            clauses.append("at < :until")
            params["until"] = _sql_time(f.until)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # The clauses are fixed strings; every value is a bound parameter.
        sql = f"SELECT {_COLUMNS} FROM audit_event {where} ORDER BY seq DESC LIMIT :limit"  # noqa: S608
        params["limit"] = f.limit
        out = []
        for row in self._s.execute(text(sql), params):
            entry, _prev, _hash = entry_from_row(row)
            out.append(
                AuditEventView(
                    seq=entry.seq,
                    at=entry.at,
                    actor=entry.actor,
                    role=entry.role,
                    workstation=entry.workstation,
                    action=entry.action,
                    customer_id=entry.customer_id,
                    case_id=entry.case_id,
                    details=_scalar_details(entry.details or {}),
                )
            )
        return out


def _sql_time(value: datetime) -> str:
    """The stored form of a time (naive UTC, as SQLAlchemy writes it on SQLite)."""
    return naive_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _scalar_details(details: Mapping[str, Any]) -> dict[str, str | int | float | bool | None]:
    return {
        str(k): v if v is None or isinstance(v, str | int | float | bool) else str(v)
        for k, v in details.items()
    }
