"""The audit trail as a supervisor uses it: check it, acknowledge a break, browse it."""

from __future__ import annotations

from dataclasses import dataclass

from csconsole.domain.audit_integrity import IntegrityReport, clean_reason
from csconsole.domain.audit_labels import ACTION_LABELS
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.staff import Permission
from csconsole.services.audit import record, record_acknowledgement
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWorkFactory


class NothingToAcknowledge(CsConsoleError):
    pass


@dataclass(frozen=True, slots=True)
class AcknowledgedBreak:
    bad_seq: int | None
    problem: str
    event_hash: str


class AuditTrailService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow_factory
        self._clock = clock

    def verify(self) -> IntegrityReport:
        """Check the whole trail. A break found is remembered, so nothing more is recorded
        until a supervisor acknowledges it (anyone may run the check)."""
        with self._uow() as uow:
            report = uow.audit_integrity.full_report()
            if report.needs_acknowledgement:
                uow.audit_integrity.mark_broken(report)
                uow.commit()
        return report

    def status(self) -> IntegrityReport:
        """Cheap: whether events can be recorded now (the head since the last checkpoint)."""
        with self._uow() as uow:
            return uow.audit_integrity.head_report()

    def acknowledge(self, session: Session, reason: str) -> AcknowledgedBreak:
        """A supervisor accepts the trail as it stands; recorded as an event naming the break.

        The break stays visible to ``verify`` (and in printed packets): the acknowledgement lets
        the console record again, it does not repair anything.
        """
        session.require(Permission.ACKNOWLEDGE_AUDIT_BREAK)
        text = clean_reason(reason)
        with self._uow() as uow:
            head = uow.audit_integrity.head_report()
            full = uow.audit_integrity.full_report()
            # The full walk names the first break; the head check may have seen only a later one.
            report = full if full.needs_acknowledgement else head
            if not report.needs_acknowledgement:
                raise NothingToAcknowledge(
                    "The audit trail is intact; there is nothing to acknowledge."
                )
            digest = record_acknowledgement(
                uow,
                self._clock,
                session,
                {
                    "bad_seq": report.chain.bad_seq,
                    "problem": report.chain.problem,
                    "events_found": full.events,
                    "stored_head": full.head,
                    "reason": text,
                    "workstation": session.workstation,
                },
            )
            uow.commit()
        return AcknowledgedBreak(report.chain.bad_seq, report.chain.problem, digest)

    def browse(self, session: Session, audit_filter: AuditFilter) -> list[AuditEventView]:
        """Events matching the filter, newest first; the look itself is an event."""
        session.require(Permission.READ_AUDIT)
        with self._uow() as uow:
            events = list(uow.audit_integrity.search(audit_filter))
            record(
                uow,
                self._clock,
                session,
                "audit.browsed",
                details={**audit_filter.describe(), "results": len(events)},
            )
            uow.commit()
        return events

    def record_export(self, session: Session, audit_filter: AuditFilter, rows: int) -> None:
        """Record that the events of ``audit_filter`` leave the console as a file; the caller
        writes the file only after this succeeded."""
        session.require(Permission.READ_AUDIT)
        with self._uow() as uow:
            record(
                uow,
                self._clock,
                session,
                "audit.exported",
                details={**audit_filter.describe(), "rows": rows, "format": "csv"},
            )
            uow.commit()


# Every action the console records, for an action filter: the labels' table is the one list
# (tests/domain/test_audit_labels.py keeps it complete).
KNOWN_ACTIONS = tuple(ACTION_LABELS)
