"""The customer on screen, every side of them: overview, addresses, orders, mailing, cases and
activity, in tabs.

Each tab loads on the task runner when it is first shown for a customer (so typing in the search
never waits on it), and again when the customer changes; a load still running for the previous
customer is dropped when it arrives (``LatestRequest``, and the customer id checked). Contact data
stays masked until the call context says the caller is verified (``set_verification``); then the
unmasked view (``services.unmask``: it checks the verification and audits the unmasking) is
fetched once per verification and shown in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QFrame, QLabel, QTabWidget, QVBoxLayout, QWidget

from csconsole.domain.customers import CustomerSummary
from csconsole.domain.policy import VerificationLevel
from csconsole.domain.unmasking import UnmaskedCustomer
from csconsole.services.auth import Session
from csconsole.services.customer_view import (
    ActivityView,
    AddressView,
    CaseView,
    CustomerOverview,
    OrderView,
    SubscriptionView,
)
from csconsole.ui.console_like import Customer360Console
from csconsole.ui.customer360 import tabs as t
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

UNVERIFIED_NOTICE = "Unverified caller: contact data masked"
EMPTY_TEXT = "No customer open. Find one with the search (Ctrl+K), then press Enter on a result."
LOADING = "Loading…"
CHANNEL = "ui"

TAB_TITLES: tuple[tuple[str, str], ...] = (
    ("overview", "&Overview"),
    ("addresses", "&Addresses"),
    ("orders", "O&rders"),
    ("mailing", "&Mailing"),
    ("cases", "Ca&ses"),
    ("activity", "Acti&vity"),
)

R = TypeVar("R")


def _subscription(subscribed: bool) -> str:
    return "subscribed" if subscribed else "not subscribed"


def summary_values(summary: CustomerSummary) -> dict[str, str]:
    """The overview's text from the masked summary only, never raw contact data."""
    return {
        "customer_no": str(summary.customer_id),
        "email": summary.email_masked or "none on file",
        "phone": summary.phone_masked or "none on file",
        "postcode": summary.postcode_masked or "none on file",
        "city": summary.city or t.NONE,
        "billing_region": t.NONE,
        "country": summary.country or t.NONE,
        "date_of_birth": t.MASKED,
        "since": summary.customer_since or t.NONE,
        "orders": str(summary.order_count),
        "email_marketing": _subscription(summary.email_subscribed),
        "catalog": _subscription(summary.catalog_subscribed),
        "misuse": "REPORTED: treat requests with care" if summary.flagged_misuse else "none",
    }


class Customer360View(QFrame):
    """Replaces the masked customer panel; same public methods (``summary``, ``show_loading``,
    ``show_summary``, ``show_error``) plus ``set_verification`` for the call context."""

    def __init__(
        self,
        console: Customer360Console,
        session: Session,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerPanel")
        self.setAccessibleName("Customer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(360)
        self._backend = console.customer_view
        self._unmask = console.unmask
        self._session = session
        self._runner = runner
        self._summary: CustomerSummary | None = None
        self._loaded: dict[str, object] = {}
        self._requests = {key: LatestRequest(runner) for key, _ in TAB_TITLES}
        self._unmask_request = LatestRequest(runner)
        self._verified = False
        self._level: str | None = None
        self._case_id: int | None = None
        self._unmasked: UnmaskedCustomer | None = None
        self._unmask_key: tuple[int, int, str] | None = None
        self.stale_dropped = 0  # loads that arrived for a customer no longer on screen
        self.unmask_requests = 0

        self.title = t.plain_label(name="customerTitle")
        self.title.setAccessibleName("Customer name")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)

        self.notice = t.plain_label(UNVERIFIED_NOTICE, name="unverifiedNotice")
        self.notice.setAccessibleName("Verification status")
        self._style_notice(verified=False)

        self.message = t.plain_label(EMPTY_TEXT, name="customerMessage")

        self.overview = t.OverviewTab()
        self.values: dict[str, QLabel] = self.overview.values
        self.addresses = t.ListTab("addresses", t.ADDRESS_HEADERS, "No addresses on file.")
        self.orders = t.ListTab("orders", t.MASKED_ORDER_HEADERS, "No orders.")
        self.mailing = t.ListTab("mailing", t.MAILING_HEADERS, "No mailing-list history.")
        self.cases = t.ListTab("cases", t.CASE_HEADERS, "No cases for this customer.")
        self.activity = t.ListTab("activity", t.ACTIVITY_HEADERS, "No recorded activity.")
        self._tab_widgets: dict[str, QWidget] = {
            "overview": self.overview,
            "addresses": self.addresses,
            "orders": self.orders,
            "mailing": self.mailing,
            "cases": self.cases,
            "activity": self.activity,
        }
        self.tabs = QTabWidget()
        self.tabs.setObjectName("customerTabs")
        self.tabs.setAccessibleName("Customer tabs")
        for key, title in TAB_TITLES:
            self.tabs.addTab(self._tab_widgets[key], title)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.overview_status = t.plain_label(name="overviewStatus")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.message)
        layout.addWidget(self.overview_status)
        layout.addWidget(self.tabs, 1)
        self.clear()

    # --- the public API ------------------------------------------------------------------

    @property
    def summary(self) -> CustomerSummary | None:
        return self._summary

    @property
    def customer_id(self) -> int | None:
        return self._summary.customer_id if self._summary is not None else None

    def current_tab(self) -> str:
        return TAB_TITLES[max(0, self.tabs.currentIndex())][0]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._tab_widgets[key])

    def clear(self, message: str = EMPTY_TEXT) -> None:
        self._forget_customer()
        self._reset_verification()
        self.title.setText("Customer")
        self.notice.hide()
        self.tabs.hide()
        self.overview_status.hide()
        self.overview.clear()
        self.message.setText(message)
        self.message.show()

    def show_loading(self, name: str) -> None:
        self.clear(f"Opening {name}…")

    def show_error(self, message: str) -> None:
        self.clear(message)

    def show_summary(self, summary: CustomerSummary) -> None:
        if self._summary is not None and self._summary.customer_id != summary.customer_id:
            self._forget_customer()
            self._reset_verification()  # a verification belongs to the previous customer
        self._summary = summary
        self.title.setText(summary.name)
        self.message.hide()
        self.notice.show()
        self.tabs.show()
        self._render_all()
        self._update_notice()
        self._ensure(self.current_tab())
        self._request_unmask()

    def set_verification(
        self, verified: bool, level: str | None, case_id: int | None = None
    ) -> None:
        """The call context's verification of the caller changed. ``case_id`` is the case it
        belongs to: the unmasking goes through it (``UnmaskService.view``); without one, or
        below the standard level, the data stays masked."""
        if not verified:
            self._reset_verification()
        else:
            self._verified, self._level, self._case_id = True, level, case_id
        self._update_notice()
        self._render_all()
        self._request_unmask()

    # --- loading -------------------------------------------------------------------------

    def _forget_customer(self) -> None:
        self._summary = None
        self._loaded.clear()
        for request in self._requests.values():
            request.supersede()
        for key in self._tab_widgets:
            if key != "overview":
                self._list(key).show_message("")

    def _reset_verification(self) -> None:
        self._verified, self._level, self._case_id = False, None, None
        self._unmasked, self._unmask_key = None, None
        self._unmask_request.supersede()

    def _tab_shown(self, _index: int) -> None:
        self._ensure(self.current_tab())

    def _ensure(self, key: str) -> None:
        """Load the tab for the customer on screen unless it is loaded or loading."""
        customer_id = self.customer_id
        if customer_id is None or key in self._loaded or self._requests[key].in_flight:
            return
        backend, session = self._backend, self._session
        readers: dict[str, Callable[[], object]] = {
            "overview": lambda: backend.overview(session, customer_id, CHANNEL),
            "addresses": lambda: backend.addresses(session, customer_id, CHANNEL),
            "orders": lambda: backend.orders(session, customer_id, CHANNEL),
            "mailing": lambda: backend.mailing(session, customer_id, CHANNEL),
            "cases": lambda: backend.cases(session, customer_id, CHANNEL),
            "activity": lambda: backend.activity(session, customer_id, CHANNEL),
        }
        read = readers[key]

        def run(_ctx: TaskContext) -> object:
            return read()

        if key == "overview":
            self.overview_status.setText(LOADING)
            self.overview_status.show()
        else:
            self._list(key).show_message(LOADING)
        self._requests[key].submit(
            run,
            name=f"customer_{key}",
            on_finished=lambda result: self._arrived(key, customer_id, result),
            on_failed=lambda failure: self._load_failed(key, customer_id, failure),
        )

    def _current(self, customer_id: int) -> bool:
        if customer_id == self.customer_id:
            return True
        self.stale_dropped += 1
        return False

    def _arrived(self, key: str, customer_id: int, result: object) -> None:
        if not self._current(customer_id):
            return
        self._loaded[key] = result
        self._render(key)

    def _load_failed(self, key: str, customer_id: int, failure: TaskFailure) -> None:
        if not self._current(customer_id):
            return
        text = f"This tab could not be loaded: {failure.message}"
        if key == "overview":
            self.overview_status.setText(text)
            self.overview_status.show()
        else:
            self._list(key).show_message(text)

    def _request_unmask(self) -> None:
        customer_id, case_id, level = self.customer_id, self._case_id, self._level
        if customer_id is None or not self._verified or case_id is None or level is None:
            return
        if not _reaches(level, VerificationLevel.STANDARD):
            return
        key = (customer_id, case_id, level)
        if key == self._unmask_key:
            return  # once per verification: the view already fetched (and audited) is kept
        self._unmask_key = key
        unmask, session = self._unmask, self._session
        self.unmask_requests += 1

        def run(_ctx: TaskContext) -> UnmaskedCustomer:
            return unmask.view(session, case_id)

        self._unmask_request.submit(
            run,
            name="customer_unmask",
            on_finished=lambda view: self._unmasked_arrived(key, view),
            on_failed=lambda failure: self._unmask_failed(key, failure),
        )

    def _unmasked_arrived(self, key: tuple[int, int, str], view: UnmaskedCustomer) -> None:
        if key != self._unmask_key or view.customer_id != self.customer_id:
            self.stale_dropped += 1
            return
        self._unmasked = view
        self._update_notice()
        self._render_all()

    def _unmask_failed(self, key: tuple[int, int, str], failure: TaskFailure) -> None:
        if key != self._unmask_key:
            return
        self._unmask_key = None  # a later verification may try again
        self.notice.setText(f"Contact data stays masked: {failure.message}")

    # --- showing -------------------------------------------------------------------------

    def _list(self, key: str) -> t.ListTab:
        widget = self._tab_widgets[key]
        assert isinstance(widget, t.ListTab)
        return widget

    def _style_notice(self, *, verified: bool) -> None:
        if verified:
            style = "background: #dff6dd; color: #0e4f0e; border: 1px solid #8ac78a;"
        else:
            style = "background: #fff4ce; color: #5c4400; border: 1px solid #e0c060;"
        self.notice.setStyleSheet(
            f"QLabel#unverifiedNotice {{ {style} border-radius: 3px; padding: 4px 8px; }}"
        )

    def _update_notice(self) -> None:
        if self._unmasked is not None:
            level = self._unmasked.level.value
            self.notice.setText(f"Verified caller ({level}): contact data shown")
            self.notice.setToolTip("The unmasking of this verification is in the audit trail.")
            self._style_notice(verified=True)
        elif self._verified:
            self.notice.setText(
                f"Verified caller ({self._level or 'no level'}): contact data still masked"
            )
            self._style_notice(verified=False)
        else:
            self.notice.setText(UNVERIFIED_NOTICE)
            self.notice.setToolTip(
                "The caller has not been verified. Contact data stays masked until they are."
            )
            self._style_notice(verified=False)

    def _render_all(self) -> None:
        if self._summary is None:
            return
        for key in self._tab_widgets:
            if key == "overview" or key in self._loaded:
                self._render(key)

    def _render(self, key: str) -> None:
        render = getattr(self, f"_render_{key}")
        render()

    def _render_overview(self) -> None:
        if self._summary is None:
            return
        loaded = self._loaded.get("overview")
        if isinstance(loaded, CustomerOverview):
            values = summary_values(loaded.summary)
            values["billing_region"] = loaded.billing_region or t.NONE
            self.overview_status.hide()
        elif "overview" in self._loaded:  # None: a sync removed the customer
            values = summary_values(self._summary)
            self.overview_status.setText("This customer is no longer in the local cache.")
            self.overview_status.show()
        else:
            values = summary_values(self._summary)
        view = self._unmasked
        if view is not None:
            billing = next((a for a in view.addresses if a.kind == "billing"), None)
            first = billing or (view.addresses[0] if view.addresses else None)
            values["email"] = view.email or "none on file"
            values["phone"] = ", ".join(view.phones) or "none on file"
            values["postcode"] = (first.postcode if first else None) or "none on file"
            if billing is not None and billing.region:
                values["billing_region"] = billing.region
            values["date_of_birth"] = (
                t.day(view.date_of_birth) if "profile" in view.sections else t.MASKED
            )
        self.overview.show_values(values)

    def _render_addresses(self) -> None:
        view = self._unmasked
        if view is not None:
            rows = [
                [
                    a.kind,
                    a.street,
                    a.city,
                    a.region or t.NONE,
                    a.postcode or t.NONE,
                    a.country,
                    a.phone or t.NONE,
                ]
                for a in view.addresses
            ]
            self.addresses.show_rows(rows)
            return
        loaded = self._loaded.get("addresses")
        if isinstance(loaded, list):
            masked: list[AddressView] = loaded
            self.addresses.show_rows(t.address_rows_masked(masked))

    def _render_orders(self) -> None:
        view = self._unmasked
        if view is not None and "orders" in view.sections:
            rows, children = t.order_rows(view.orders)
            self.orders.show_rows(rows, headers=t.ORDER_HEADERS, children=children)
            return
        loaded = self._loaded.get("orders")
        if isinstance(loaded, list):
            orders: list[OrderView] = loaded
            note = (
                "Order numbers, dates, totals, items and card digits are shown once the caller "
                "is verified at the high level."
                if orders
                else ""
            )
            self.orders.show_rows(
                t.order_rows_masked(orders), headers=t.MASKED_ORDER_HEADERS, note=note
            )

    def _render_mailing(self) -> None:
        loaded = self._loaded.get("mailing")
        if isinstance(loaded, list):
            events: list[SubscriptionView] = loaded
            self.mailing.show_rows(t.mailing_rows(events))

    def _render_cases(self) -> None:
        loaded = self._loaded.get("cases")
        if isinstance(loaded, list):
            cases: list[CaseView] = loaded
            self.cases.show_rows(t.case_rows(cases))

    def _render_activity(self) -> None:
        loaded = self._loaded.get("activity")
        if isinstance(loaded, list):
            events: list[ActivityView] = loaded
            self.activity.show_rows(t.activity_rows(events))


def _reaches(level: str, needed: VerificationLevel) -> bool:
    try:
        return VerificationLevel(level).satisfies(needed)
    except ValueError:
        return False
