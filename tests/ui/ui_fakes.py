"""Hand-written fakes of the console's services for the widget tests.

The search is the real ``SearchService`` over an in-memory ``CustomerLookup``, so parsing,
ranking and masking are the real ones, and so is ``CustomerAccessService`` (opening a customer,
recording a search) over a small fake unit of work that records what the window asked of it.
``FakeConsole`` has every member of ``csconsole.ui.console_like.ConsoleLike``: the fake world
has no cases, no conflicts and no shop, and its services answer as the real ones do then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from PySide6.QtCore import QObject, QTimer

from csconsole.domain.audit_chain import ChainReport
from csconsole.domain.audit_integrity import IntegrityReport
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.domain.cases import CaseRecord
from csconsole.domain.customers import CustomerRow, CustomerSummary
from csconsole.domain.errors import NotFound, SignInError
from csconsole.domain.lookup import reverse_digits
from csconsole.domain.masking import mask_email, mask_phone, mask_postcode
from csconsole.domain.staff import Role, StaffMember
from csconsole.domain.text import digits_only, fold, name_index_text, normalise_postcode
from csconsole.domain.unmasking import UnmaskedCustomer
from csconsole.services.auth import Session
from csconsole.services.customer_access import CustomerAccessService
from csconsole.services.customer_view import (
    ActivityView,
    AddressView,
    CaseView,
    CustomerOverview,
    CustomerViewService,
    OrderView,
    SubscriptionView,
)
from csconsole.services.outbox import ConflictView, Resolution
from csconsole.services.ports import StaffRecord
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings
from csconsole.services.verification import AnswerResult, LockView, VerificationStatus
from csconsole.sync.errors import NotConnected
from csconsole.sync.status import SyncStatus


@dataclass
class FakeCustomer:
    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    city: str
    country: str
    orders: tuple[str, ...] = ()
    flagged_misuse: bool = False
    email_subscribed: bool = True
    catalog_subscribed: bool = False

    def row(self) -> CustomerRow:
        return CustomerRow(
            self.customer_id,
            self.first_name,
            self.last_name,
            self.email,
            self.phone,
            self.city,
            self.country,
        )


CUSTOMERS = [
    FakeCustomer(
        1,
        "Jane",
        "Doe",
        "jane.doe@example.com",
        "+1 415 555 4990",
        "94110",
        "San Francisco",
        "US",
        ("DN100234",),
    ),
    FakeCustomer(
        2,
        "John",
        "Smith",
        "john.smith@example.com",
        "(212) 555-0142",
        "10001",
        "New York",
        "US",
        ("DN100235", "DN100301"),
    ),
    FakeCustomer(
        3,
        "Anna",
        "Smith",
        "anna.smith@example.org",
        "+44 20 7946 0958",
        "SW1A 1AA",
        "London",
        "GB",
        (),
        True,
    ),
    FakeCustomer(
        4,
        "Zoë",
        "Müller",
        "zoe.mueller@example.de",
        "+49 30 901820",
        "10115",
        "Berlin",
        "DE",
        ("DN100400",),
    ),
    FakeCustomer(
        5, "Annabel", "Smithers", "annabel@example.com", "+1 303 555 7781", "80202", "Denver", "US"
    ),
    FakeCustomer(
        6, "Ann", "Smyth", "ann.smyth@example.net", "+1 617 555 3321", "02108", "Boston", "US"
    ),
]


class FakeLookup:
    """Implements ``services.ports.CustomerLookup`` over a list; ``delay`` slows every call."""

    def __init__(self, customers: Sequence[FakeCustomer] = CUSTOMERS) -> None:
        self.customers = {c.customer_id: c for c in customers}
        # Closed, every call waits until the test opens it: "slow" without a fixed sleep.
        self.gate = threading.Event()
        self.gate.set()
        self.calls = 0
        self.threads: set[str] = set()

    def _touch(self) -> None:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        self.gate.wait(30)

    def by_email_prefix(self, prefix: str, limit: int) -> list[CustomerRow]:
        self._touch()
        rows = [c.row() for c in self.customers.values() if fold(c.email).startswith(prefix)]
        return rows[:limit]

    def by_order_number_prefix(self, prefix: str, limit: int) -> list[tuple[CustomerRow, str]]:
        self._touch()
        out = [
            (c.row(), n)
            for c in self.customers.values()
            for n in c.orders
            if n.upper().startswith(prefix)
        ]
        return out[:limit]

    def by_phone_suffix(self, reversed_digits: str, limit: int) -> list[tuple[CustomerRow, str]]:
        self._touch()
        out = []
        for c in self.customers.values():
            key = reverse_digits(digits_only(c.phone))
            if key.startswith(reversed_digits):
                out.append((c.row(), key))
        return out[:limit]

    def by_postcode(self, postcode: str, limit: int) -> list[CustomerRow]:
        self._touch()
        rows = [
            c.row() for c in self.customers.values() if normalise_postcode(c.postcode) == postcode
        ]
        return rows[:limit]

    def by_name_tokens(self, groups: Sequence[Sequence[str]], limit: int) -> list[CustomerRow]:
        self._touch()
        out = []
        for c in self.customers.values():
            words = name_index_text(c.first_name, c.last_name).split()
            if all(any(w.startswith(t) for t in group for w in words) for group in groups):
                out.append(c.row())
        return out[:limit]

    def name_vocabulary(self) -> list[str]:
        self._touch()
        words = {
            w
            for c in self.customers.values()
            for w in name_index_text(c.first_name, c.last_name).split()
        }
        return sorted(words)

    def summary(self, customer_id: int) -> CustomerSummary | None:
        self._touch()
        c = self.customers.get(customer_id)
        if c is None:
            return None
        return CustomerSummary(
            customer_id=c.customer_id,
            name=f"{c.first_name} {c.last_name}",
            email_masked=mask_email(c.email),
            phone_masked=mask_phone(c.phone),
            postcode_masked=mask_postcode(c.postcode),
            city=c.city,
            country=c.country,
            customer_since="2021-03",
            order_count=len(c.orders),
            email_subscribed=c.email_subscribed,
            catalog_subscribed=c.catalog_subscribed,
            flagged_misuse=c.flagged_misuse,
        )


class FakeAudit:
    def __init__(self, sink: list[dict[str, Any]]) -> None:
        self._sink = sink
        self._pending: list[dict[str, Any]] = []

    def append(self, **event: Any) -> str:
        self._pending.append(event)
        return "0" * 64


class FakeStaffRows:
    """The staff rows the audit checks a session against (``services.audit.record``): the
    members of ``FakeAuth``, all active."""

    def __init__(self, members: dict[str, tuple[str, StaffMember]]) -> None:
        self._members = members

    def by_username(self, username: str) -> StaffRecord | None:
        entry = self._members.get(username)
        if entry is None:
            return None
        m = entry[1]
        return StaffRecord(m.staff_id, m.username, m.display_name, m.role, "", 0, None, True)


class FakeUnitOfWork:
    def __init__(
        self, sink: list[dict[str, Any]], members: dict[str, tuple[str, StaffMember]]
    ) -> None:
        self._sink = sink
        self.audit = FakeAudit(sink)
        self.staff = FakeStaffRows(members)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.audit._pending.clear()

    def commit(self) -> None:
        self._sink.extend(self.audit._pending)
        self.audit._pending.clear()


class FakeUowFactory:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.members: dict[str, tuple[str, StaffMember]] = {}  # FakeConsole gives FakeAuth's

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events, self.members)

    def actions(self) -> list[str]:
        return [e["action"] for e in self.events]


class FakeViewReads:
    """``services.customer_view.CustomerViewReads`` over the fake customers: one address (the
    billing one), an order per order number, an email enrolment. ``gate`` closed: every read
    waits until the test opens it; ``reads`` names what was read, in order."""

    def __init__(self, lookup: FakeLookup) -> None:
        self._lookup = lookup
        self.gate = threading.Event()
        self.gate.set()
        self.reads: list[tuple[str, int]] = []
        self.threads: set[str] = set()
        self.cases_of: dict[int, list[CaseView]] = {}
        self.activity_of: dict[int, list[ActivityView]] = {}

    def _touch(self, tab: str, customer_id: int) -> FakeCustomer | None:
        self.threads.add(threading.current_thread().name)
        self.gate.wait(30)
        self.reads.append((tab, customer_id))
        return self._lookup.customers.get(customer_id)

    def overview(self, customer_id: int) -> CustomerOverview | None:
        c = self._touch("overview", customer_id)
        summary = self._lookup.summary(customer_id)
        if c is None or summary is None:
            return None
        return CustomerOverview(summary, "CA" if c.country == "US" else "")

    def addresses(self, customer_id: int) -> list[AddressView]:
        c = self._touch("addresses", customer_id)
        if c is None:
            return []
        return [
            AddressView(
                "billing",
                "•••",
                c.city,
                "CA" if c.country == "US" else "",
                mask_postcode(c.postcode),
                c.country,
                mask_phone(c.phone),
            )
        ]

    def orders(self, customer_id: int, limit: int) -> list[OrderView]:
        c = self._touch("orders", customer_id)
        if c is None:
            return []
        return [OrderView(n, "shipped", 2, "Visa") for n, _ in enumerate(c.orders[:limit], 1)]

    def mailing(self, customer_id: int) -> list[SubscriptionView]:
        c = self._touch("mailing", customer_id)
        if c is None or not c.email_subscribed:
            return []
        return [SubscriptionView("email", "enrolled", "contest", datetime(2023, 1, 5, tzinfo=UTC))]

    def cases(self, customer_id: int) -> list[CaseView]:
        self._touch("cases", customer_id)
        return list(self.cases_of.get(customer_id, []))

    def activity(self, customer_id: int, limit: int) -> list[ActivityView]:
        self._touch("activity", customer_id)
        return list(self.activity_of.get(customer_id, []))[:limit]


class FakeViewUnitOfWork(FakeUnitOfWork):
    def __init__(
        self,
        sink: list[dict[str, Any]],
        members: dict[str, tuple[str, StaffMember]],
        reads: FakeViewReads,
    ) -> None:
        super().__init__(sink, members)
        self.customer_view = reads


class FakeViewUowFactory:
    """The 360 view's units of work: their audit events go to the main fake's ``events``."""

    def __init__(self, uow: FakeUowFactory, reads: FakeViewReads) -> None:
        self._uow = uow
        self.reads = reads

    def __call__(self) -> FakeViewUnitOfWork:
        return FakeViewUnitOfWork(self._uow.events, self._uow.members, self.reads)


class FakeAuth:
    """Staff with passwords; locks an account after ``max_failures`` wrong passwords."""

    def __init__(self, max_failures: int = 3) -> None:
        self.staff = {
            "rep": ("rep-password-1", StaffMember(1, "rep", "Rita Rep", Role.REP)),
            "super": ("super-password-2", StaffMember(2, "super", "Sam Super", Role.SUPERVISOR)),
        }
        self.failures: dict[str, int] = {}
        self.max_failures = max_failures
        self.attempts: list[str] = []
        self.gate = threading.Event()  # closed: sign_in waits until the test opens it
        self.gate.set()
        self.threads: set[str] = set()

    def sign_in(self, username: str, password: str) -> Session:
        self.threads.add(threading.current_thread().name)
        self.gate.wait(30)
        username = username.strip()
        self.attempts.append(username)
        entry = self.staff.get(username)
        if entry is None:
            raise SignInError("Unknown user name or wrong password.")
        if self.failures.get(username, 0) >= self.max_failures:
            raise SignInError(
                f"Account locked after {self.max_failures} failed sign-ins; try again in 15 min "
                "or ask an admin."
            )
        if password != entry[0]:
            self.failures[username] = self.failures.get(username, 0) + 1
            raise SignInError("Unknown user name or wrong password.")
        self.failures[username] = 0
        return Session(entry[1], "test-desk")

    def still_signed_in(self, session: Session) -> bool:
        entry = self.staff.get(session.staff.username)
        return entry is not None and entry[1] == session.staff


class FixedClock:
    def now(self) -> datetime:
        return datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class NoCases:
    """``CaseBackend`` of a world without cases: every list is empty, nothing can be opened."""

    def open_case(
        self,
        session: Session,
        case_type: object,
        *,
        customer_id: int | None,
        channel: object,
        summary: str,
    ) -> CaseRecord:
        raise NotFound(f"There is no customer {customer_id} in the local cache.")

    def list_cases(
        self, session: Session, *, scope: str = "mine", include_closed: bool = False
    ) -> list[CaseRecord]:
        return []

    def today(self) -> date:
        return FixedClock().now().date()


class NoCaseVerification:
    """``VerificationBackend`` of a world without cases."""

    def start(
        self,
        session: Session,
        case_id: int,
        *,
        fields: Iterable[object] = (),
        request: object = None,
    ) -> VerificationStatus:
        raise NotFound(f"There is no case {case_id}.")

    def answer(
        self, session: Session, verification_id: int, kind: object, answer: str
    ) -> AnswerResult:
        raise NotFound(f"There is no verification {verification_id}.")

    def affirm(self, session: Session, verification_id: int) -> VerificationStatus:
        raise NotFound(f"There is no verification {verification_id}.")

    def end(self, session: Session, verification_id: int) -> VerificationStatus:
        raise NotFound(f"There is no verification {verification_id}.")

    def case_lock_state(self, session: Session, case_id: int) -> LockView:
        raise NotFound(f"There is no case {case_id}.")

    def unlock_case(self, session: Session, case_id: int, reason: str) -> LockView:
        raise NotFound(f"There is no case {case_id}.")


class NoCaseUnmask:
    def view(self, session: Session, case_id: int) -> UnmaskedCustomer:
        raise NotFound(f"There is no case {case_id}.")


class EmptyAuditTrail:
    """``AuditBackend`` over an empty, intact trail."""

    def browse(self, session: Session, audit_filter: AuditFilter) -> list[AuditEventView]:
        return []

    def status(self) -> IntegrityReport:
        return IntegrityReport(ChainReport(True, 0, ""), 0, "")

    def acknowledge(self, session: Session, reason: str) -> object:
        raise NotFound("The audit trail has no break to acknowledge.")


class NoConflicts:
    """``ConflictBackend`` with nothing the shop refused."""

    def open(self, session: Session) -> list[ConflictView]:
        return []

    def settle(self, session: Session, conflict_id: int, resolution: Resolution) -> int | None:
        raise NotFound(f"There is no sync conflict {conflict_id}.")


class NoShopSync:
    """``ConsoleLike.sync`` of a desk with no shop set up: a sync refuses as the real one does,
    and the attempts are counted."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.attempts = 0

    @property
    def connected(self) -> bool:
        return bool(self._settings.shop_url)

    def run(
        self,
        *,
        full: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> object:
        self.attempts += 1
        raise NotConnected("No shop database is set up; run `csconsole connect` first.")

    def status(self) -> SyncStatus:
        return SyncStatus(connected=self.connected)


@dataclass
class FakeConsole:
    """Has every member of ``ConsoleLike`` (what the window uses of ``csconsole.app.Console``).

    No shop is configured: ``sync`` refuses as the real one does, and counts the attempts."""

    lookup: FakeLookup = field(default_factory=FakeLookup)
    auth: FakeAuth = field(default_factory=FakeAuth)
    uow: FakeUowFactory = field(default_factory=FakeUowFactory)
    clock: FixedClock = field(default_factory=FixedClock)
    settings: Settings = field(default_factory=Settings)
    cases: NoCases = field(default_factory=NoCases)
    verification: NoCaseVerification = field(default_factory=NoCaseVerification)
    unmask: NoCaseUnmask = field(default_factory=NoCaseUnmask)
    audit_trail: EmptyAuditTrail = field(default_factory=EmptyAuditTrail)
    conflicts: NoConflicts = field(default_factory=NoConflicts)
    closed: bool = False
    search: SearchService = field(init=False)
    customers: CustomerAccessService = field(init=False)
    view_reads: FakeViewReads = field(init=False)
    customer_view: CustomerViewService = field(init=False)
    sync: NoShopSync = field(init=False)

    def __post_init__(self) -> None:
        self.sync = NoShopSync(self.settings)
        self.uow.members = self.auth.staff
        self.search = SearchService(self.lookup, default_region="US", limit=50)
        self.customers = CustomerAccessService(self.uow, self.clock, self.search)
        self.view_reads = FakeViewReads(self.lookup)
        self.customer_view = CustomerViewService(
            FakeViewUowFactory(self.uow, self.view_reads), self.clock
        )

    def close(self) -> None:
        self.closed = True


def rep_session(console: FakeConsole, username: str = "rep") -> Session:
    return Session(console.auth.staff[username][1], "test-desk")


class VirtualTimer(QTimer):
    """A ``QTimer`` on a virtual clock, for a widget that takes its timer: ``start`` arms it,
    ``advance(ms)`` moves the clock and fires it when due. It never fires by itself, so a test
    says exactly how much time passed between two inputs, and nothing races a real timeout.

    The widgets call ``start``, ``stop``, ``isActive`` and ``remainingTime`` from Python, so
    these overrides are what they see; ``timeout`` is the real signal."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now_ms = 0
        self.starts = 0  # how often it was (re)started
        self._due_ms: int | None = None

    def start(self, msec: int | None = None) -> None:  # type: ignore[override]
        if msec is not None:
            self.setInterval(msec)
        self._due_ms = self.now_ms + self.interval()
        self.starts += 1

    def stop(self) -> None:
        self._due_ms = None

    def isActive(self) -> bool:
        return self._due_ms is not None

    def remainingTime(self) -> int:
        return -1 if self._due_ms is None else self._due_ms - self.now_ms

    def advance(self, ms: int) -> None:
        """Let ``ms`` virtual milliseconds pass, firing at each due time on the way."""
        target = self.now_ms + ms
        while self._due_ms is not None and self._due_ms <= target:
            self.now_ms = self._due_ms
            self._due_ms = None if self.isSingleShot() else self.now_ms + max(1, self.interval())
            self.timeout.emit()
        self.now_ms = target
