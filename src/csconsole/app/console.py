"""The composition root: the one place that picks concrete classes and wires them together.

``Console`` holds the wired services and ``close()``, nothing else: a command or the window
calls ``console.<service>.<use case>``. A capability adds a member here (wired in ``open``, or
as a ``cached_property`` when not every command needs it), never a use case on ``Console``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings
from csconsole.domain.errors import CsConsoleError
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.engine import cache_key, open_cache_engine
from csconsole.persistence.repositories.customer_lookup import SqliteCustomerLookup
from csconsole.persistence.repositories.unit_of_work import (
    SqlUnitOfWorkFactory,
    unit_of_work_factory,
)
from csconsole.services.auth import AuthService
from csconsole.services.clock import SystemClock
from csconsole.services.ports import Clock, SecretStore
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings

if TYPE_CHECKING:
    from csconsole.app.sync_wiring import CentralLedgerAudit, ShopSync
    from csconsole.domain.policy import PolicyProfile
    from csconsole.services.audit_trail import AuditTrailService
    from csconsole.services.cases import CaseService
    from csconsole.services.conflicts import ConflictService
    from csconsole.services.customer_access import CustomerAccessService
    from csconsole.services.sync_access import SyncAccess
    from csconsole.services.unmask import UnmaskService
    from csconsole.services.verification import VerificationService


@dataclass
class Console:
    """Everything one running console (window or command) uses, wired once.

    What every command needs (the cache, sign-in, search) is wired by ``open``; each other
    capability's service is wired, and its modules imported, when first used, so a headless
    ``csconsole search`` does not load the policy profile, the holiday calendars or the sync.
    """

    paths: Paths
    settings: Settings
    secrets: SecretStore
    engine: Engine
    clock: Clock
    uow: SqlUnitOfWorkFactory
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
    ) -> Console:
        paths = paths or Paths.from_environment()
        settings = load_settings(paths)
        secrets = secrets or KeyringSecretStore()
        key = cache_key(secrets, paths.cache_file, create=create)
        engine = open_cache_engine(paths.cache_file, key, create=create)
        try:
            migrate.upgrade(engine)
        except Exception as exc:
            engine.dispose()
            raise CsConsoleError(f"The cache schema could not be upgraded: {exc}") from None
        clock = clock or SystemClock()
        workstation = settings.workstation or socket.gethostname()
        uow = unit_of_work_factory(engine, workstation, clock=clock)
        lookup = SqliteCustomerLookup(engine)
        search = SearchService(
            lookup, default_region=settings.default_region, limit=settings.search_limit
        )
        auth = AuthService(uow, clock, workstation=workstation)
        return cls(paths, settings, secrets, engine, clock, uow, lookup, search, auth, workstation)

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

        return CustomerAccessService(self.uow, self.clock, self.search)

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
        self.engine.dispose()
