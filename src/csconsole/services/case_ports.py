"""Ports for cases, caller verification and the audit trail's integrity (persistence implements
them; the unit of work exposes them as ``uow.cases``, ``uow.verifications``,
``uow.customer_records``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from csconsole.domain.audit_integrity import IntegrityReport
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.domain.cases import CaseRecord, CaseStatus, CaseType, Channel, NoteRecord
from csconsole.domain.policy import CorrectableField, QuestionKind, RequestType, VerificationLevel
from csconsole.domain.unmasking import CustomerDetails
from csconsole.domain.verification import LockRecord, VerificationRecord
from csconsole.domain.verification_answers import FactsOnFile


class CaseRepository(Protocol):
    def add(
        self,
        *,
        case_type: CaseType,
        customer_id: int | None,
        channel: Channel,
        summary: str,
        staff_id: int,
        opened_at: datetime,
        due_on: date,
    ) -> int: ...
    def get(self, case_id: int) -> CaseRecord | None: ...
    def owner_id(self, case_id: int) -> int | None: ...
    def list(
        self,
        *,
        owner_id: int | None,
        include_closed: bool,
        limit: int,
        include_replicas: bool = False,
    ) -> Sequence[CaseRecord]: ...
    def set_status(
        self,
        case_id: int,
        status: CaseStatus,
        *,
        at: datetime,
        staff_id: int,
        resolution: str | None,
    ) -> None: ...
    def add_note(self, case_id: int, *, author_id: int, at: datetime, text: str) -> int: ...
    def notes(self, case_id: int) -> Sequence[NoteRecord]: ...


class VerificationRepository(Protocol):
    def start(
        self,
        *,
        case_id: int,
        customer_id: int,
        staff_id: int,
        request: RequestType,
        fields: Sequence[CorrectableField],
        required: VerificationLevel,
        started_at: datetime,
        expires_at: datetime,
    ) -> int: ...
    def get(self, verification_id: int) -> VerificationRecord | None: ...
    def for_case(self, case_id: int) -> Sequence[VerificationRecord]:
        """Newest first."""
        ...

    def add_attempt(
        self,
        verification_id: int,
        *,
        customer_id: int,
        staff_id: int,
        at: datetime,
        kind: QuestionKind,
        result: str,
    ) -> None: ...
    def affirm(self, verification_id: int, *, at: datetime, text: str) -> None: ...
    def end(self, verification_id: int, *, at: datetime, reason: str) -> None: ...
    # The lockout: every desk's attempts, locks and unlocks (this console's and the replicas of
    # the others', as of their last sync).
    def failures_since(self, customer_id: int, since: datetime | None) -> Sequence[datetime]:
        """Times of wrong answers (``no_match``) about the customer after ``since`` (all if
        None), oldest first, on every desk."""
        ...

    def locks_after(self, customer_id: int, after: datetime | None) -> Sequence[LockRecord]:
        """Recorded locks on the customer, on every desk, made after ``after`` (all if None)."""
        ...

    def active_lock(self, customer_id: int) -> LockRecord | None:
        """The newest recorded lock of any desk that no unlock of any desk has lifted."""
        ...

    def last_unlock_at(self, customer_id: int) -> datetime | None:
        """When the latest unlock of the customer took effect, on any desk."""
        ...

    def locked_customer_ids(self, limit: int) -> Sequence[int]:
        """Customers with a recorded lock (any desk) made after their latest unlock (any desk),
        the newest locks first: the supervisor's queue checks each with the lockout rules."""
        ...

    def add_lock(
        self, customer_id: int, *, at: datetime, failures: int, verification_id: int | None
    ) -> int: ...
    def add_unlock(
        self,
        customer_id: int,
        *,
        at: datetime,
        effective_at: datetime,
        staff_id: int,
        reason: str,
        lock: LockRecord | None,
        signed_by: str | None = None,
        signature: str | None = None,
    ) -> int:
        """Record a supervisor's unlock on this desk: it lifts every lock on the customer made
        at or before ``effective_at``, on any desk; ``lock`` is the one they were shown."""
        ...


class CustomerRecords(Protocol):
    """Reads of one customer's raw data: for verification and for the unmasked view only."""

    def exists(self, customer_id: int) -> bool: ...
    def facts_on_file(self, customer_id: int) -> FactsOnFile | None:
        """The stored answers to verification questions. Only the verification service calls
        this, and nothing it returns leaves that service."""
        ...

    def details(self, customer_id: int) -> CustomerDetails | None: ...


class AuditIntegrity(Protocol):
    """The checks the audit log makes besides appending (``uow.audit`` implements both)."""

    def head_report(self) -> IntegrityReport:
        """Cheap: the events since the last verified checkpoint."""
        ...

    def full_report(self) -> IntegrityReport:
        """The whole trail, past acknowledged breaks."""
        ...

    def mark_broken(self, report: IntegrityReport) -> None:
        """Remember a break a check found, so appends refuse until it is acknowledged."""
        ...

    def append_acknowledgement(
        self, *, at: datetime, actor: str, role: str, details: dict[str, str | int | None]
    ) -> str:
        """Append the acknowledgement of a break (even though the chain is broken) and make it
        the new verified checkpoint."""
        ...

    def search(self, audit_filter: AuditFilter) -> Sequence[AuditEventView]: ...
