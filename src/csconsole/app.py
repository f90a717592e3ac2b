"""The composition root: the one place that picks concrete classes and wires them together."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from csconsole.adapters.holiday_calendar import holiday_predicate
from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.policy_files import load_profile
from csconsole.adapters.settings_file import Paths, load_settings, save_settings
from csconsole.domain.audit_integrity import IntegrityReport
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.policy import PolicyProfile
from csconsole.domain.staff import Role
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.engine import cache_key, open_cache_engine
from csconsole.persistence.cache.reference_loader import load_reference_sqlite
from csconsole.persistence.replication.ledger_sync import LedgerReport
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
from csconsole.services.customer_access import CustomerAccessService
from csconsole.services.outbox import PushReport
from csconsole.services.ports import Clock, SecretStore
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings
from csconsole.services.sync_access import SyncAccess
from csconsole.services.unmask import UnmaskService
from csconsole.services.verification import VerificationService
from csconsole.sync.runner import PushStep, SyncReport, SyncRun
from csconsole.sync.status import SyncStatus

Progress = Callable[[str, int, int], None]

DEMO_STAFF = [
    ("rep", "Demo Rep", Role.REP),
    ("supervisor", "Demo Supervisor", Role.SUPERVISOR),
    ("admin", "Demo Admin", Role.ADMIN),
]


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
    # Cases, caller verification, unmasking and the audit trail (issue 4).
    profile: PolicyProfile
    cases: CaseService
    verification: VerificationService
    unmask: UnmaskService
    audit_trail: AuditTrailService
    customers: CustomerAccessService  # opening a customer and recording a search (the window)

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
            customers=CustomerAccessService(uow, clock, search),
        )

    def close(self) -> None:
        self.lookup.close()
        self.engine.dispose()

    def sync(
        self,
        *,
        full: bool = False,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        retries: int = 0,
        push: bool = True,
    ) -> SyncReport:
        """One sync with the shop, on the calling thread (the window runs it on its sync
        thread): the pull (``sync.runner``), then the push step (``push_outbox_and_ledger``)."""
        from csconsole.persistence.cache.store import SqliteCacheStore
        from csconsole.sync.runner import run_sync

        try:
            return run_sync(
                shop_url=self.settings.shop_url,
                mapping_name=self.settings.shop_mapping,
                secrets=self.secrets,
                open_cache=lambda: SqliteCacheStore(self.engine, clock=self.clock),
                full=full,
                progress=progress,
                cancelled=cancelled,
                push=_push_step(self) if push else None,
                retries=retries,
            )
        finally:
            self.search.forget_vocabulary()

    @property
    def sync_access(self) -> SyncAccess:
        """Sign-in and role checks of ``connect`` and ``sync`` on the command line."""
        return SyncAccess(self.uow, self.clock)

    @property
    def conflicts(self) -> ConflictService:
        """Push conflicts a supervisor settles (issue 3, docs/ledger-and-outbox.md)."""
        return ConflictService(self.uow, self.clock)

    def outbox_status(self) -> dict[str, int]:
        """For the status bar: shop changes waiting to be pushed, and conflicts to settle."""
        from csconsole.persistence.repositories.outbox import SqlOutboxQueue
        from csconsole.services.outbox import SHOP_KINDS

        counts = SqlOutboxQueue(self.engine).counts(SHOP_KINDS)
        return {"pending": counts.get("pending", 0), "conflicts": counts.get("conflict", 0)}

    def sync_status(self) -> SyncStatus:
        """For the status bar (reads the cache: call it off the window thread)."""
        from csconsole.persistence.cache.sync_log import read_sync_status

        return read_sync_status(self.engine, connected=bool(self.settings.shop_url))

    def verify_audit(self) -> IntegrityReport:
        """The whole trail, past acknowledged breaks; a break found stops further events."""
        return self.audit_trail.verify()

    def verify_ledger_audit(self) -> dict[str, IntegrityReport]:
        """Each workstation's audit chain as the central ledger (``ledger_url``) holds it."""
        from sqlalchemy.exc import SQLAlchemyError

        from csconsole.persistence.replication.audit_check import central_trails
        from csconsole.sync.shop.connection import classify, full_url, shop_engine

        if not self.settings.ledger_url:
            raise CsConsoleError(
                "No central ledger is set up (ledger_url in settings.toml), so only the local "
                "trail can be checked."
            )
        url = full_url(self.settings.ledger_url, self.secrets)
        ledger = shop_engine(url)
        try:
            return central_trails(ledger)
        except (SQLAlchemyError, OSError) as exc:
            raise classify(exc, url) from None
        finally:
            ledger.dispose()


def build_demo(
    *,
    customers: int,
    seed: int,
    paths: Paths | None = None,
    secrets: SecretStore | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[Console, list[tuple[str, str, Role]], dict[str, int]]:
    """Make the demo shop, load the cache from it, create demo staff.

    Returns the open console, the staff credentials (shown once, stored only as hashes) and
    the row counts loaded.
    """
    from csconsole.demo.generator import generate_demo_shop

    paths = paths or Paths.from_environment()
    if not force and (paths.cache_file.exists() or paths.demo_shop_file.exists()):
        raise CsConsoleError(
            f"A cache already exists in {paths.data_dir}; pass --force to replace it with a new "
            "demo (everything in it, including its audit trail, is lost)."
        )
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    secrets = secrets or KeyringSecretStore()
    if force:
        for path in (paths.cache_file, paths.demo_shop_file):
            for extra in ("", "-wal", "-shm"):
                Path(str(path) + extra).unlink(missing_ok=True)
        secrets.delete(_key_name(paths.cache_file))
    generate_demo_shop(paths.demo_shop_file, customers=customers, seed=seed, progress=progress)
    # The demo syncs with its own shop file, which also holds the central ledger's tables (the
    # design's embedded default). The cache is loaded below by a bulk copy; the first sync
    # then makes its full load from the shop in the background.
    demo_url = f"sqlite:///{paths.demo_shop_file.resolve()}"
    settings = load_settings(paths) if paths.settings_file.exists() else Settings()
    save_settings(
        paths,
        settings.with_changes(shop_url=demo_url, shop_mapping="reference", ledger_url=demo_url),
    )
    console = Console.open(paths, secrets, create=True)
    counts = load_reference_sqlite(
        console.engine, paths.demo_shop_file, progress, clock=console.clock
    )
    credentials = console.auth.bootstrap_staff(DEMO_STAFF)
    return console, credentials, counts


def _key_name(path: Path) -> str:
    from csconsole.persistence.cache.engine import cache_key_name

    return cache_key_name(path)


def _push_step(console: Console) -> PushStep:
    """The sync run's push hook: the outbox into the shop, then the ledger replication."""

    def step(run: SyncRun) -> object:
        from csconsole.sync.shop.connection import full_url, shop_engine

        ledger = None
        if console.settings.ledger_url:
            ledger = shop_engine(full_url(console.settings.ledger_url, console.secrets))
        try:
            return push_outbox_and_ledger(
                console,
                shop=run.engine,
                ledger=ledger,
                mapping=run.mapping,
                cancelled=run.cancelled,
            )
        finally:
            if ledger is not None:
                ledger.dispose()

    return step


def push_outbox_and_ledger(
    console: Console,
    *,
    shop: Engine | None,
    ledger: Engine | None,
    mapping: object | None = None,
    actor: str = "sync",
    cancelled: Callable[[], bool] | None = None,
) -> tuple[PushReport | None, LedgerReport | None]:
    """The push half of a sync (issue 3): outbox items into the shop, then the ledger
    replication (push this desk's records, pull the others'). Either engine may be None."""
    from csconsole.persistence.replication.ledger_sync import LedgerReplicator
    from csconsole.persistence.repositories.outbox import SqlOutboxQueue
    from csconsole.sync.push.outbox_push import ShopPusher
    from csconsole.sync.retry import describe, is_transient
    from csconsole.sync.shop.targets import write_target

    workstation = console.settings.workstation or socket.gethostname()
    queue = SqlOutboxQueue(console.engine, console.uow, actor=actor)
    pushed = None
    if shop is not None:
        pusher = ShopPusher(
            shop, workstation=workstation, clock=console.clock, targets=write_target(mapping)
        )
        pushed = pusher.push(queue, cancelled=cancelled)
    replicated = None
    if ledger is not None and not (cancelled and cancelled()):
        replicator = LedgerReplicator(
            console.engine,
            ledger,
            uow=console.uow,
            queue=queue,
            workstation=workstation,
            clock=console.clock,
            transient=is_transient,
            describe=describe,
        )
        replicated = replicator.sync()
    return pushed, replicated
