"""What the services need from outside, as Protocols; adapters and persistence implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from csconsole.domain.customers import CustomerRow, CustomerSummary
from csconsole.domain.signing import SignedStaffRow
from csconsole.domain.staff import Role

if TYPE_CHECKING:  # typing only: the case ports load the policy rules, which sign-in never needs
    from csconsole.services.case_ports import (
        AuditIntegrity,
        CaseRepository,
        CustomerRecords,
        VerificationRepository,
    )

DetailValue = str | int | float | bool | None
# Long work reports how far it is: (stage in words, done, total); the window shows a bar.
ProgressReport = Callable[[str, int, int], None]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class CustomerLookup(Protocol):
    """Read-only lookups over the local cache, each bounded by ``limit``."""

    def by_email(self, email: str, limit: int) -> Sequence[CustomerRow]:
        """Customers whose folded email equals ``email``."""
        ...

    def by_email_local(self, local: str, limit: int) -> Sequence[CustomerRow]:
        """Customers whose folded email's whole part before the @ equals ``local``."""
        ...

    def by_order_number(self, number: str, limit: int) -> Sequence[tuple[CustomerRow, str]]:
        """Customers with an order whose normalised number equals ``number``."""
        ...

    def by_phone_suffix(
        self, reversed_digits: str, limit: int
    ) -> Sequence[tuple[CustomerRow, str]]:
        """Phones ending with the digits (reversed), with their reversed digits; the search asks
        it only for the last four or a whole number's forms, and compares whole numbers."""
        ...

    def by_postcode(self, postcode: str, limit: int) -> Sequence[CustomerRow]: ...
    def by_name_tokens(
        self, groups: Sequence[Sequence[str]], limit: int
    ) -> Sequence[CustomerRow]: ...
    def name_vocabulary(self) -> Sequence[str]: ...
    def summary(self, customer_id: int) -> CustomerSummary | None: ...


@dataclass(frozen=True, slots=True)
class StaffRecord:
    staff_id: int
    username: str
    display_name: str
    role: Role
    password_hash: str
    failed_attempts: int
    last_failure_at: datetime | None
    active: bool
    # The signature and signing key (domain/signing.py; empty on rows made before 0008).
    public_key: str | None = None
    sealed_key: str | None = None
    signed_by: str | None = None
    signature: str | None = None

    def signed(self) -> SignedStaffRow:
        return SignedStaffRow(
            username=self.username,
            display_name=self.display_name,
            role=self.role.value,
            password_hash=self.password_hash,
            active=self.active,
            public_key=self.public_key,
            sealed_key=self.sealed_key,
            signed_by=self.signed_by,
            signature=self.signature,
        )


class StaffRepository(Protocol):
    def by_username(self, username: str) -> StaffRecord | None: ...
    def signed_rows(self) -> list[SignedStaffRow]:
        """Every staff row's signed part, in creation order."""
        ...

    def root_key(self) -> str | None:
        """The public key of the staff list's root (pinned at bootstrap or the first pull)."""
        ...

    def set_root_key(self, public_key: str) -> None: ...
    def add_signed(self, row: SignedStaffRow) -> int: ...
    def save_signed(self, row: SignedStaffRow) -> None:
        """Replace the signed part of the row of ``row.username``."""
        ...

    def record_failure(self, staff_id: int, at: datetime) -> None: ...
    def record_success(self, staff_id: int, password_hash: str | None) -> None: ...
    def count(self) -> int: ...


class AuditLog(Protocol):
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
        """Append one event in the current transaction; return its chain hash."""
        ...


class StaffAuditUnitOfWork(Protocol):
    """One transaction over the staff list and the audit log only: what sign-in and the audited
    reads (opening a customer, recording a search) need. Persistence implements it without the
    ORM too, so ``csconsole search`` does not load every model."""

    # Read-only members (properties), so an implementation may hold a subtype of each.
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def audit(self) -> AuditLog: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class StaffAuditUnitOfWorkFactory(Protocol):
    def __call__(self) -> StaffAuditUnitOfWork: ...


class UnitOfWork(StaffAuditUnitOfWork, Protocol):
    """One transaction: everything done through it commits together, or not at all."""

    @property
    def cases(self) -> CaseRepository: ...
    @property
    def verifications(self) -> VerificationRepository: ...
    @property
    def customer_records(self) -> CustomerRecords: ...
    # The audit log's checking side.
    @property
    def audit_integrity(self) -> AuditIntegrity: ...
    # The outbox of changes for the shop (persistence/repositories/outbox.py).
    @property
    def outbox(self) -> Outbox: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A change for the shop, queued in the cache and pushed by sync exactly once.

    ``kind``: correction | opt_out | erasure | account_flag | ledger_record.
    ``expected`` holds the values the rep saw (the optimistic check); ``changes`` the new ones.
    """

    kind: str
    entity: str
    entity_key: str
    changes: Mapping[str, DetailValue]
    expected: Mapping[str, DetailValue]
    idempotency_key: str
    case_id: int | None = None


class Outbox(Protocol):
    def enqueue(self, item: OutboxItem) -> int:
        """Queue in the caller's transaction; returns the outbox id."""
        ...
