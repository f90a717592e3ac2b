"""The 360 view of the customer on screen, masked: one read per tab (overview, addresses,
orders, mailing, cases, activity), each its own unit of work with its audit event
(``customer.view_masked``, the tab named), as opening a customer is (``customer_access``).

Nothing here is a verification answer in clear: postcodes, streets and phones are masked, and
orders show only their status, item count and card brand (number, date, total, items and the
card's last four digits are answers; they are shown once the caller is verified, through
``services.unmask``, which checks the verification and audits the unmasking).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from csconsole.domain.customers import CustomerSummary
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, DetailValue, StaffAuditUnitOfWork

# The newest this many orders and audit events are shown; the counts say when there are more.
ORDER_LIMIT = 100
ACTIVITY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class CustomerOverview:
    summary: CustomerSummary
    billing_region: str  # state, province or county of the billing address ("" if none)


@dataclass(frozen=True, slots=True)
class AddressView:
    kind: str
    street_masked: str
    city: str
    region: str
    postcode_masked: str
    country: str
    phone_masked: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order before verification: what it is, not what would answer a question."""

    position: int  # 1 = the newest
    status: str
    item_count: int
    card_brand: str


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    channel: str
    event: str
    source: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
    case_id: int
    desk: str  # "" for this desk's own cases, else the origin desk of a replica
    case_type: str
    status: str
    summary: str
    opened_at: datetime
    due_on: date
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ActivityView:
    at: datetime
    actor: str
    role: str
    workstation: str
    action: str
    case_id: int | None
    details: Mapping[str, DetailValue]

    @property
    def label(self) -> str:
        return action_label(self.action)

    def details_text(self) -> str:
        """The details in words, every value in full."""
        parts = []
        for key, value in sorted(self.details.items()):
            if value is None or value == "":
                continue
            parts.append(f"{key.replace('_', ' ')}: {value}")
        return "; ".join(parts)


ACTION_LABELS: dict[str, str] = {
    "customer.view_masked": "Viewed the customer (masked)",
    "customer.view_unmasked": "Viewed unmasked data",
    "customer.search": "Found in a search",
    "case.opened": "Opened a case",
    "case.viewed": "Viewed a case",
    "case.note_added": "Added a case note",
    "case.status_changed": "Changed a case's status",
    "verification.started": "Started verification",
    "verification.answer": "Verification answer checked",
    "verification.answer_rejected": "Verification answer rejected",
    "verification.level_reached": "Verification level reached",
    "verification.affirmed": "Caller affirmed",
    "verification.ended": "Verification ended",
    "verification.refused": "Verification refused",
    "verification.locked": "Verification locked",
    "verification.unlocked": "Verification unlocked",
    "account.flag_requested": "Account flag requested",
}


def action_label(action: str) -> str:
    """An audit action in words; an unknown one as its own text, made readable."""
    known = ACTION_LABELS.get(action)
    if known is not None:
        return known
    return action.replace(".", ": ").replace("_", " ").capitalize()


class CustomerViewReads(Protocol):
    """One query per tab (``persistence.repositories.customer_view``)."""

    def overview(self, customer_id: int) -> CustomerOverview | None: ...
    def addresses(self, customer_id: int) -> Sequence[AddressView]: ...
    def orders(self, customer_id: int, limit: int) -> Sequence[OrderView]: ...
    def mailing(self, customer_id: int) -> Sequence[SubscriptionView]: ...
    def cases(self, customer_id: int) -> Sequence[CaseView]: ...
    def activity(self, customer_id: int, limit: int) -> Sequence[ActivityView]: ...


class CustomerViewUnitOfWork(StaffAuditUnitOfWork, Protocol):
    @property
    def customer_view(self) -> CustomerViewReads: ...


class CustomerViewUnitOfWorkFactory(Protocol):
    def __call__(self) -> CustomerViewUnitOfWork: ...


TABS = ("overview", "addresses", "orders", "mailing", "cases", "activity")


@dataclass(frozen=True, slots=True)
class CustomerTabs:
    """The tabs read together (``CustomerViewService.read``); a tab not asked for is None."""

    overview: CustomerOverview | None = None
    addresses: list[AddressView] | None = None
    orders: list[OrderView] | None = None
    mailing: list[SubscriptionView] | None = None
    cases: list[CaseView] | None = None
    activity: list[ActivityView] | None = None


class CustomerViewService:
    """The tabs of the window's customer view; every read is permission-checked and audited."""

    def __init__(self, uow: CustomerViewUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def read(
        self, session: Session, customer_id: int, tabs: Sequence[str], channel: str = "ui"
    ) -> CustomerTabs:
        """The asked tabs in one unit of work and one audit event naming them (opening a
        customer with several tabs at once costs one event, not one per tab)."""
        unknown = [tab for tab in tabs if tab not in TABS]
        if unknown or not tabs:
            raise ValueError(f"tabs: one or more of {', '.join(TABS)}")
        session.require(Permission.VIEW_CUSTOMER)
        if "cases" in tabs:
            session.require(Permission.HANDLE_CASES)
        asked = [tab for tab in TABS if tab in tabs]
        with self._uow() as uow:
            r = uow.customer_view
            out = CustomerTabs(
                overview=r.overview(customer_id) if "overview" in asked else None,
                addresses=list(r.addresses(customer_id)) if "addresses" in asked else None,
                orders=list(r.orders(customer_id, ORDER_LIMIT)) if "orders" in asked else None,
                mailing=list(r.mailing(customer_id)) if "mailing" in asked else None,
                cases=list(r.cases(customer_id)) if "cases" in asked else None,
                activity=(
                    list(r.activity(customer_id, ACTIVITY_LIMIT)) if "activity" in asked else None
                ),
            )
            # A look at a customer the last sync removed shows nothing, so records nothing.
            if out.overview is not None or "overview" not in asked:
                record(
                    uow,
                    self._clock,
                    session,
                    "customer.view_masked",
                    customer_id=customer_id,
                    details={"channel": channel, "tab": ",".join(asked)},
                )
                uow.commit()
        return out

    # One tab each (the window loads a tab when it is shown).

    def overview(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> CustomerOverview | None:
        """None if a sync removed the customer."""
        return self.read(session, customer_id, ("overview",), channel).overview

    def addresses(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[AddressView]:
        return self.read(session, customer_id, ("addresses",), channel).addresses or []

    def orders(self, session: Session, customer_id: int, channel: str = "ui") -> list[OrderView]:
        return self.read(session, customer_id, ("orders",), channel).orders or []

    def mailing(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[SubscriptionView]:
        return self.read(session, customer_id, ("mailing",), channel).mailing or []

    def cases(self, session: Session, customer_id: int, channel: str = "ui") -> list[CaseView]:
        return self.read(session, customer_id, ("cases",), channel).cases or []

    def activity(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[ActivityView]:
        return self.read(session, customer_id, ("activity",), channel).activity or []
