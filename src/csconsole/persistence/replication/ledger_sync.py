"""One ledger sync: bring the central schema up, push this cache's records, pull the others'.

Order: migrate the ledger; queue shared rows changed here; push the audit chain (which also
refuses a second cache using this workstation's name); push the ledger records of shared and
owned tables; pull shared tables; pull other workstations' audit events and owned records.
Each step is its own short transactions and is safe to repeat, so a run killed anywhere is
completed by the next; transient errors retry the step with backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.capture import ledger_record_values
from csconsole.persistence.ledger.tables import REPLICATED, Replicated
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.outbox import OutboxEntry
from csconsole.persistence.replication.chain import pull_chain, push_chain
from csconsole.persistence.replication.owned import pull_owned, push_owned
from csconsole.persistence.replication.shared import changed_keys, pull_shared, push_shared
from csconsole.persistence.replication.signed_rows import Refusal
from csconsole.persistence.replication.state import ChainFork
from csconsole.persistence.repositories.outbox import SqlOutboxQueue
from csconsole.persistence.repositories.unit_of_work import SqlUnitOfWorkFactory
from csconsole.services.audit import record_system_event
from csconsole.services.checkpoints import checkpoint
from csconsole.services.outbox import LEDGER_KIND, ItemResult, PushOutcome, qualified_key
from csconsole.services.ports import Clock

T = TypeVar("T")
BATCH = 500


@dataclass
class LedgerReport:
    pushed_events: int = 0
    pulled_events: int = 0
    pushed_records: int = 0
    superseded_records: int = 0
    pulled_rows: int = 0
    retries: int = 0
    error: str = ""
    # Rows refused for their signature, pushed or pulled (signed_rows.py); each is audited.
    refused: list[str] = field(default_factory=list)


def _never_transient(_error: BaseException) -> bool:
    return False


class LedgerReplicator:
    def __init__(
        self,
        cache: Engine,
        ledger: Engine,
        *,
        uow: SqlUnitOfWorkFactory,
        queue: SqlOutboxQueue,
        workstation: str,
        clock: Clock,
        transient: Callable[[BaseException], bool] = _never_transient,
        describe: Callable[[BaseException], str] = lambda e: type(e).__name__,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        tables: tuple[Replicated, ...] = REPLICATED,
    ) -> None:
        self._tables = tables
        self._recorded = {t.name: t for t in tables if t.mode in ("shared", "owned")}
        self._cache = cache
        self._ledger = ledger
        self._uow = uow
        self._queue = queue
        self._workstation = workstation
        self._clock = clock
        self._transient = transient
        self._describe = describe
        self._attempts = attempts
        self._sleep = sleep

    def sync(self) -> LedgerReport:
        report = LedgerReport()
        try:
            self._retrying(report, lambda: ledger_migrate.upgrade(self._ledger))
            self._retrying(report, self._queue_changed)
            for spec in self._tables:
                if spec.mode == "chain":
                    report.pushed_events += self._retrying(
                        report, partial(push_chain, spec, self._cache, self._ledger)
                    )
            self._retrying(report, lambda: self._push_records(report))
            for spec in self._tables:
                if spec.mode == "shared":
                    report.pulled_rows += self._retrying(report, partial(self._pull, spec, report))
            for spec in self._tables:
                if spec.mode == "chain":
                    report.pulled_events += self._retrying(
                        report, partial(pull_chain, spec, self._cache, self._ledger)
                    )
                elif spec.mode == "owned":
                    report.pulled_rows += self._retrying(
                        report, partial(self._pull_owned, spec, report)
                    )
        except ChainFork as fork:
            report.error = str(fork)
        except Exception as error:
            report.error = f"the central ledger did not accept the sync: {self._describe(error)}"
        if report.refused and not report.error:
            report.error = f"refused {len(report.refused)} row(s): " + "; ".join(report.refused)
        return report

    def _retrying(self, report: LedgerReport, step: Callable[[], T]) -> T:
        for attempt in range(self._attempts):
            try:
                return step()
            except Exception as error:
                if attempt + 1 >= self._attempts or not self._transient(error):
                    raise
                report.retries += 1
                self._sleep(min(8.0, 0.25 * 2**attempt))
        raise AssertionError("unreachable")

    def _queue_changed(self) -> None:
        now = self._clock.now()
        with self._cache.begin() as conn:
            for spec in self._tables:
                if spec.mode != "shared":
                    continue
                rows = [ledger_record_values(spec, key, now) for key in changed_keys(conn, spec)]
                if rows:
                    conn.execute(core_table(OutboxEntry).insert(), rows)
        checkpoint("ledger.after_queue_changed")

    def _push_records(self, report: LedgerReport) -> None:
        origin = self._queue.origin()
        while True:
            batch = self._queue.pending([LEDGER_KIND], BATCH)
            if not batch:
                return
            for name in {p.item.entity for p in batch}:
                items = [p for p in batch if p.item.entity == name]
                spec = self._recorded.get(name)
                if spec is None:
                    self._queue.record(
                        [
                            ItemResult(p.outbox_id, PushOutcome.FAILED, reason="not a ledger table")
                            for p in items
                        ],
                        self._clock.now(),
                    )
                    continue
                if spec.mode == "owned":
                    refused_records: list[Refusal] = []
                    counts = push_owned(
                        spec,
                        items,
                        cache=self._cache,
                        ledger=self._ledger,
                        origin=self._workstation,
                        now=self._clock.now(),
                        refused=refused_records,
                    )
                    self._refused(report, refused_records)
                else:
                    refused: list[Refusal] = []
                    counts = push_shared(
                        spec,
                        items,
                        cache=self._cache,
                        ledger=self._ledger,
                        key_of=lambda k: qualified_key(origin, k),
                        workstation=self._workstation,
                        now=self._clock.now(),
                        refused=refused,
                    )
                    self._refused(report, refused)
                report.pushed_records += counts.get(PushOutcome.APPLIED, 0)
                report.superseded_records += counts.get(PushOutcome.CONFLICT, 0)

    def _pull_owned(self, spec: Replicated, report: LedgerReport) -> int:
        refused: list[Refusal] = []
        written = pull_owned(spec, self._cache, self._ledger, self._workstation, refused)
        self._refused(report, refused, side="desk")
        return written

    def _refused(self, report: LedgerReport, refused: list[Refusal], side: str = "central") -> None:
        """Audit rows refused for their signature: by the central ledger (pushed from this
        desk) or by this desk (pulled); staff rows as ``staff.row_refused``, decisions as
        ``decision.refused``."""
        if not refused:
            return
        with self._uow() as uow:
            for r in refused:
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system",
                    action="staff.row_refused" if r.table == "staff" else "decision.refused",
                    details={"table": r.table, "key": r.key, "reason": r.reason, "side": side},
                )
            uow.commit()
        report.refused.extend(r.line() for r in refused)

    def _pull(self, spec: Any, report: LedgerReport) -> int:
        refused: list[Refusal] = []
        with self._uow() as uow:
            conn = uow.session.connection()

            def audit(_conn: Connection, action: str, details: dict[str, Any]) -> None:
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system",
                    action=action,
                    details=details,
                )

            changed = pull_shared(spec, conn, self._ledger, audit, self._clock.now(), refused)
            uow.commit()
        report.refused.extend(r.line() for r in refused)
        checkpoint("ledger.shared.after_pull_commit")
        return changed
