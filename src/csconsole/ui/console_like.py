"""What the window uses of a console, as Protocols (the UI never imports ``csconsole.app``).

``csconsole.app.Console`` satisfies ``ConsoleLike`` structurally (``cli.py`` hands one to
``ui.main.run``, so mypy checks it); the widget tests pass small fakes (``tests/ui/ui_fakes.py``).
Each screen names only the services it needs (``CaseworkConsole`` for the case screens, the
``*Backend`` Protocols of the widgets); ``ConsoleLike`` is all of them together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # typing only: ui.main and the sign-in dialog load before the services
    from csconsole.domain.cases import CaseRecord, Channel
    from csconsole.domain.customers import CustomerHit, CustomerSummary
    from csconsole.domain.lookup import ParsedQuery
    from csconsole.domain.policy import CaseType
    from csconsole.domain.unmasking import UnmaskedCustomer
    from csconsole.services.auth import Session
    from csconsole.services.cases import Scope
    from csconsole.services.customer_view import (
        ActivityView,
        AddressView,
        CaseView,
        CustomerOverview,
        OrderView,
        SubscriptionView,
    )
    from csconsole.services.ports import ProgressReport
    from csconsole.services.search import SearchService
    from csconsole.services.settings import Settings
    from csconsole.sync.status import SyncStatus
    from csconsole.ui.audit_browser import AuditBackend
    from csconsole.ui.conflicts_dialog import ConflictBackend
    from csconsole.ui.verification_wizard import VerificationBackend


class AuthLike(Protocol):
    """``services.auth.AuthService`` provides it."""

    def sign_in(self, username: str, password: str) -> Session:
        """A session, or ``SignInError`` with a message fit for the window."""
        ...

    def still_signed_in(self, session: Session) -> bool:
        """False once the person's staff row changed under the session (audited)."""
        ...


class SyncBackend(Protocol):
    """``app.sync_wiring.ShopSync``: the window's background sync and its status bar."""

    @property
    def connected(self) -> bool:
        """A shop database is configured (the window syncs on its timer only then)."""
        ...

    def run(
        self,
        *,
        full: bool = False,
        progress: ProgressReport | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> object:
        """One sync with the shop on the calling thread (the window's sync thread)."""
        ...

    def status(self) -> SyncStatus:
        """What the status bar shows; reads the cache, so off the window thread."""
        ...


class CustomerAccess(Protocol):
    """``services.customer_access.CustomerAccessService`` provides it."""

    def open_customer(
        self, session: Session, customer_id: int, channel: str
    ) -> CustomerSummary | None: ...

    def record_search(
        self, session: Session, query: ParsedQuery, hits: Sequence[CustomerHit], channel: str
    ) -> None: ...


class CustomerViewBackend(Protocol):
    """``services.customer_view.CustomerViewService``: the 360 view's tabs, masked."""

    def overview(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> CustomerOverview | None: ...
    def addresses(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[AddressView]: ...
    def orders(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[OrderView]: ...
    def mailing(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[SubscriptionView]: ...
    def cases(self, session: Session, customer_id: int, channel: str = "ui") -> list[CaseView]: ...
    def activity(
        self, session: Session, customer_id: int, channel: str = "ui"
    ) -> list[ActivityView]: ...


class Customer360Console(Protocol):
    """What the customer's 360 view uses (``ui/customer360``)."""

    @property
    def customer_view(self) -> CustomerViewBackend: ...

    @property
    def unmask(self) -> UnmaskBackend: ...


class CaseBackend(Protocol):
    """``services.cases.CaseService``: what the case list and the open-case dialog use."""

    def open_case(
        self,
        session: Session,
        case_type: CaseType | str,
        *,
        customer_id: int | None,
        channel: Channel | str,
        summary: str,
    ) -> CaseRecord: ...

    def list_cases(
        self, session: Session, *, scope: Scope = "mine", include_closed: bool = False
    ) -> list[CaseRecord]: ...

    def today(self) -> date: ...


class UnmaskBackend(Protocol):
    """``services.unmask.UnmaskService`` provides it."""

    def view(self, session: Session, case_id: int) -> UnmaskedCustomer: ...


class CaseworkConsole(Protocol):
    """The services the case screens use (``ui/casework_menu.py``)."""

    @property
    def cases(self) -> CaseBackend: ...

    @property
    def verification(self) -> VerificationBackend: ...

    @property
    def unmask(self) -> UnmaskBackend: ...

    @property
    def audit_trail(self) -> AuditBackend: ...


class ConsoleLike(CaseworkConsole, Protocol):
    """Everything the main window uses of ``csconsole.app.Console``."""

    @property
    def search(self) -> SearchService: ...

    @property
    def auth(self) -> AuthLike: ...

    @property
    def customers(self) -> CustomerAccess: ...

    @property
    def customer_view(self) -> CustomerViewBackend: ...

    @property
    def conflicts(self) -> ConflictBackend: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def sync(self) -> SyncBackend: ...

    def close(self) -> None: ...
