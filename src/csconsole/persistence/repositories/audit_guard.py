"""The audit log's checks: the head before each append (from a verified checkpoint), the whole
trail, the acknowledgement of a break, and reading events back for the audit browser.

Stored events are read as raw SQL values and converted defensively: a tampered row (text in a
number column, a date that is not a date, details that are not JSON) must be reported at its
sequence number, never crash the check. Plain SQL throughout (``statements.Statements``), so the
ORM unit of work and the lean one of sign-in run the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

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
from csconsole.persistence.repositories.statements import Statements
from csconsole.persistence.stored_time import aware_utc, sql_time

_COLUMNS = (
    "seq, at, actor, role, workstation, action, customer_id, case_id, details, prev_hash, hash"
)
_SQL_AFTER = f"SELECT {_COLUMNS} FROM audit_event WHERE seq > :after ORDER BY seq"  # noqa: S608
_SQL_ONE = f"SELECT {_COLUMNS} FROM audit_event WHERE seq = :seq"  # noqa: S608
# The ledger sync's note of how far the chain was pushed (``replication.state``).
_SQL_PUSHED = "SELECT pushed_key FROM ledger_replica_state WHERE table_name = 'audit_event'"
# The checkpoint is one row (models.audit_checkpoint.AuditCheckpoint).
CHECKPOINT_ID = 1
_SQL_CHECKPOINT = "SELECT seq, hash, broken_seq, problem FROM audit_checkpoint WHERE id = :id"
_SQL_ADVANCE = (
    "INSERT INTO audit_checkpoint (id, seq, hash, verified_at, broken_seq, problem)"
    " VALUES (:id, :seq, :hash, :at, NULL, NULL) ON CONFLICT (id) DO UPDATE SET"
    " seq = excluded.seq, hash = excluded.hash, verified_at = excluded.verified_at,"
    " broken_seq = NULL, problem = NULL"
)
# A break found before any checkpoint: the checkpoint starts at the genesis.
_SQL_MARK_BROKEN = (
    "INSERT INTO audit_checkpoint (id, seq, hash, verified_at, broken_seq, problem)"
    " VALUES (:id, 0, :genesis, :at, :broken_seq, :problem) ON CONFLICT (id) DO UPDATE SET"
    " broken_seq = excluded.broken_seq, problem = excluded.problem"
)
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

    def __init__(self, statements: Statements) -> None:
        self._sql = statements

    def checkpoint(self) -> Checkpoint | None:
        found = list(self._sql.rows(_SQL_CHECKPOINT, {"id": CHECKPOINT_ID}))
        if not found:
            return None
        seq, digest, broken_seq, problem = found[0]
        return Checkpoint(int(seq), str(digest), _int_or_none(broken_seq), problem or "")

    def rows(self, after_seq: int = 0) -> Iterator[tuple[AuditEntry, str, str]]:
        for row in self._sql.rows(_SQL_AFTER, {"after": after_seq}):
            yield entry_from_row(row)

    def full_report(self) -> IntegrityReport:
        return assess_trail(
            self.rows(), self.checkpoint(), expect_checkpoint=True, pushed_seq=self._pushed_seq()
        )

    def _pushed_seq(self) -> int:
        """The newest event the ledger sync noted as sent (0: never synced)."""
        found = list(self._sql.rows(_SQL_PUSHED, {}))
        value = found[0][0] if found else None
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
            found = list(self._sql.rows(_SQL_ONE, {"seq": cp.seq}))
            row = found[0] if found else None
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
        self._sql.run(
            _SQL_ADVANCE, {"id": CHECKPOINT_ID, "seq": seq, "hash": digest, "at": sql_time(at)}
        )

    def mark_broken(self, report: IntegrityReport, at: datetime) -> None:
        if not report.needs_acknowledgement:
            return
        self._sql.run(
            _SQL_MARK_BROKEN,
            {
                "id": CHECKPOINT_ID,
                "genesis": GENESIS_HASH,
                "at": sql_time(at),
                "broken_seq": report.chain.bad_seq,
                "problem": report.chain.problem,
            },
        )

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
            params["since"] = sql_time(f.since)
        if f.until is not None:
            clauses.append("at < :until")
            params["until"] = sql_time(f.until)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # The clauses are fixed strings; every value is a bound parameter.
        sql = f"SELECT {_COLUMNS} FROM audit_event {where} ORDER BY seq DESC LIMIT :limit"  # noqa: S608
        params["limit"] = f.limit
        out = []
        for row in self._sql.rows(sql, params):
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


def _scalar_details(details: Mapping[str, Any]) -> dict[str, str | int | float | bool | None]:
    return {
        str(k): v if v is None or isinstance(v, str | int | float | bool) else str(v)
        for k, v in details.items()
    }
