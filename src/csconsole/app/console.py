"""The composition root: the one place that picks concrete classes and wires them together.

``Console`` holds the wired services and ``close()``, nothing else: a command or the window
calls ``console.<service>.<use case>``. A capability adds a member here (wired in ``open``, or
as a ``cached_property`` when not every command needs it), never a use case on ``Console``.

What ``open`` wires imports neither SQLAlchemy's ORM nor any model: sign-in and the audited
reads around a search run on the lean unit of work (``staff_audit_uow``, driver connections),
the search on its own driver connection. The SQLAlchemy engine and the ORM unit of work
(``engine``, ``uow``) are made on first use; ``tests/commands/test_cli_imports.py`` keeps
``csconsole search`` that way.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings
from csconsole.domain.errors import CsConsoleError
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.engine import CacheFile, cache_key, open_cache
from csconsole.persistence.repositories.customer_lookup import SqliteCustomerLookup
from csconsole.persistence.repositories.driver_unit_of_work import DriverUnitOfWorkFactory
from csconsole.services.auth import AuthService
from csconsole.services.clock import SystemClock
from csconsole.services.ports import Clock, SecretStore
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from csconsole.app.sync_wiring import CentralLedgerAudit, ShopSync
    from csconsole.domain.policy import PolicyProfile
    from csconsole.persistence.repositories.customer_view import CustomerViewUnitOfWorkFactory
    from csconsole.persistence.repositories.unit_of_work import SqlUnitOfWorkFactory
    from csconsole.services.audit_trail import AuditTrailService
    from csconsole.services.cases import CaseService
    from csconsole.services.conflicts import ConflictService
    from csconsole.services.customer_access import CustomerAccessService
    from csconsole.services.customer_view import CustomerViewService
    from csconsole.services.sync_access import SyncAccess
    from csconsole.services.unmask import UnmaskService
    from csconsole.services.verification import VerificationService


@dataclass
class Console:
    """Everything one running console (window or command) uses, wired once.

    What every command needs (the cache, sign-in, search) is wired by ``open``; each other
    capability's service is wired, and its modules imported, when first used, so a headless
    ``csconsole search`` does not load SQLAlchemy, the models, the policy profile, the holiday
    calendars or the sync.
    """

    paths: Paths
    settings: Settings
    secrets: SecretStore
    cache: CacheFile
    clock: Clock
    # Units of work over the staff list and the audit log only (sign-in, the audited reads).
    staff_audit_uow: DriverUnitOfWorkFactory
    lookup: SqliteCustomerLookup
    search: SearchService
    auth: AuthService
    workstation: str

    @classmethod
    def open(
        cls,
        paths: Paths | None = None,
        secrets: SecretStore | None = None,
        *,
        create: bool = False,
        clock: Clock | None = None,
        preload: bool = False,
    ) -> Console:
        """``preload``: wire the engine and the ORM unit of work now, on the calling thread
        (the window opens the console on its worker while the sign-in dialog shows, so the
        window's first use of them after the password costs nothing)."""
        paths = paths or Paths.from_environment()
        settings = load_settings(paths)
        secrets = secrets or KeyringSecretStore()
        key = cache_key(secrets, paths.cache_file, create=create)
        cache = open_cache(paths.cache_file, key, create=create)
        try:
            migrate.upgrade_cache(cache)
        except Exception as exc:
            raise CsConsoleError(f"The cache schema could not be upgraded: {exc}") from None
        clock = clock or SystemClock()
        workstation = settings.workstation or socket.gethostname()
        staff_audit_uow = DriverUnitOfWorkFactory(cache.connect, workstation, clock)
        lookup = SqliteCustomerLookup(cache.connect())
        search = SearchService(
            lookup, default_region=settings.default_region, limit=settings.search_limit
        )
        auth = AuthService(staff_audit_uow, clock, workstation=workstation)
        console = cls(
            paths,
            settings,
            secrets,
            cache,
            clock,
            staff_audit_uow,
            lookup,
            search,
            auth,
            workstation,
        )
        if preload:
            console.uow  # noqa: B018 - wires the engine and the ORM unit of work now
        return console

    @cached_property
    def engine(self) -> Engine:
        """SQLAlchemy's engine on the cache (the ORM unit of work, the sync, the demo load)."""
        return self.cache.engine()

    @cached_property
    def uow(self) -> SqlUnitOfWorkFactory:
        """Units of work over every repository (cases, verification, the outbox, ...): the
        ORM and the cache's models load here."""
        from csconsole.persistence.repositories.unit_of_work import unit_of_work_factory

        return unit_of_work_factory(self.engine, self.workstation, clock=self.clock)

    @cached_property
    def profile(self) -> PolicyProfile:
        """The shop's policy profile (``settings.policy_profile``); a broken one raises
        ``PolicyProfileError`` naming the file and the key."""
        from csconsole.adapters.policy_files import load_profile

        return load_profile(self.settings.policy_profile)

    @cached_property
    def customers(self) -> CustomerAccessService:
        """Opening a customer and recording a settled search (the window's audited reads)."""
        from csconsole.services.customer_access import CustomerAccessService

        return CustomerAccessService(self.staff_audit_uow, self.clock, self.search)

    @cached_property
    def customer_view_uow(self) -> CustomerViewUnitOfWorkFactory:
        """The 360 view's units of work, on one driver connection of their own."""
        from csconsole.persistence.repositories.customer_view import (
            CustomerViewUnitOfWorkFactory,
        )

        return CustomerViewUnitOfWorkFactory(self.cache.connect, self.workstation, self.clock)

    @cached_property
    def customer_view(self) -> CustomerViewService:
        """The tabs of the customer on screen, masked (each read audited)."""
        from csconsole.services.customer_view import CustomerViewService

        return CustomerViewService(self.customer_view_uow, self.clock)

    @cached_property
    def cases(self) -> CaseService:
        from csconsole.adapters.holiday_calendar import holiday_predicate
        from csconsole.services.cases import CaseService

        profile = self.profile
        return CaseService(
            self.uow, self.clock, profile, holiday_predicate(profile.holiday_calendar)
        )

    @cached_property
    def verification(self) -> VerificationService:
        from csconsole.services.verification import VerificationService

        return VerificationService(
            self.uow, self.clock, self.profile, default_region=self.settings.default_region
        )

    @cached_property
    def unmask(self) -> UnmaskService:
        from csconsole.services.unmask import UnmaskService

        return UnmaskService(self.uow, self.clock, self.profile)

    @cached_property
    def audit_trail(self) -> AuditTrailService:
        from csconsole.services.audit_trail import AuditTrailService

        return AuditTrailService(self.uow, self.clock)

    @cached_property
    def conflicts(self) -> ConflictService:
        """Push conflicts a supervisor settles (docs/ledger-and-outbox.md)."""
        from csconsole.services.conflicts import ConflictService

        return ConflictService(self.uow, self.clock)

    @cached_property
    def sync_access(self) -> SyncAccess:
        """Sign-in and role checks of ``connect`` and ``sync`` on the command line."""
        from csconsole.services.sync_access import SyncAccess

        return SyncAccess(self.uow, self.clock)

    @cached_property
    def sync(self) -> ShopSync:
        """Sync with the shop and the central ledger: run, status, what waits to be sent,
        the push."""
        from csconsole.app.sync_wiring import ShopSync

        return ShopSync(
            settings=self.settings,
            secrets=self.secrets,
            engine=self.engine,
            uow=self.uow,
            clock=self.clock,
            search=self.search,
            workstation=self.workstation,
        )

    @cached_property
    def ledger_audit(self) -> CentralLedgerAudit:
        """Each desk's audit chain as the central ledger holds it."""
        from csconsole.app.sync_wiring import CentralLedgerAudit

        return CentralLedgerAudit(settings=self.settings, secrets=self.secrets, engine=self.engine)

    def close(self) -> None:
        self.lookup.close()
        if "customer_view_uow" in self.__dict__:  # made on first use (cached_property)
            self.customer_view_uow.close()
        if "engine" in self.__dict__:  # made on first use (cached_property)
            self.engine.dispose()
