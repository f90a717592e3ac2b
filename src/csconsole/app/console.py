"""The composition root: the one place that picks concrete classes and wires them together.

``Console`` holds the wired services and ``close()``, nothing else: a command or the window
calls ``console.<service>.<use case>``. A capability adds a member here and its wiring in
``Console.open``, never a method on ``Console``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy import Engine

from csconsole.adapters.holiday_calendar import holiday_predicate
from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.policy_files import load_profile
from csconsole.adapters.settings_file import Paths, load_settings
from csconsole.app.sync_wiring import CentralLedgerAudit, ShopSync
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.policy import PolicyProfile
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.engine import cache_key, open_cache_engine
from csconsole.persistence.repositories.customer_lookup import SqliteCustomerLookup
from csconsole.persistence.repositories.unit_of_work import (
    SqlUnitOfWorkFactory,
    unit_of_work_factory,
)
from csconsole.services.audit_trail import AuditTrailService
from csconsole.services.auth import AuthService
from csconsole.services.cases import CaseService
from csconsole.services.clock import SystemClock
from csconsole.services.conflicts import ConflictService
from csconsole.services.ports import Clock, SecretStore
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings
from csconsole.services.sync_access import SyncAccess
from csconsole.services.unmask import UnmaskService
from csconsole.services.verification import VerificationService


@dataclass
class Console:
    """Everything one running console (window or command) uses, wired once."""

    paths: Paths
    settings: Settings
    secrets: SecretStore
    engine: Engine
    clock: Clock
    uow: SqlUnitOfWorkFactory
    lookup: SqliteCustomerLookup
    search: SearchService
    auth: AuthService
    profile: PolicyProfile
    cases: CaseService
    verification: VerificationService
    unmask: UnmaskService
    audit_trail: AuditTrailService
    # Push conflicts a supervisor settles (docs/ledger-and-outbox.md).
    conflicts: ConflictService
    # Sign-in and role checks of ``connect`` and ``sync`` on the command line.
    sync_access: SyncAccess
    # Sync with the shop and the central ledger: run, status, what waits to be sent, push.
    sync: ShopSync
    # Each desk's audit chain as the central ledger holds it.
    ledger_audit: CentralLedgerAudit

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
        uow = unit_of_work_factory(engine, workstation)
        lookup = SqliteCustomerLookup(engine)
        search = SearchService(
            lookup, default_region=settings.default_region, limit=settings.search_limit
        )
        auth = AuthService(uow, clock, workstation=workstation)
        try:
            profile = load_profile(settings.policy_profile)
        except CsConsoleError:
            lookup.close()
            engine.dispose()
            raise
        return cls(
            paths,
            settings,
            secrets,
            engine,
            clock,
            uow,
            lookup,
            search,
            auth,
            profile=profile,
            cases=CaseService(uow, clock, profile, holiday_predicate(profile.holiday_calendar)),
            verification=VerificationService(
                uow, clock, profile, default_region=settings.default_region
            ),
            unmask=UnmaskService(uow, clock, profile),
            audit_trail=AuditTrailService(uow, clock),
            conflicts=ConflictService(uow, clock),
            sync_access=SyncAccess(uow, clock),
            sync=ShopSync(
                settings=settings,
                secrets=secrets,
                engine=engine,
                uow=uow,
                clock=clock,
                search=search,
                workstation=workstation,
            ),
            ledger_audit=CentralLedgerAudit(settings=settings, secrets=secrets),
        )

    def close(self) -> None:
        self.lookup.close()
        self.engine.dispose()
