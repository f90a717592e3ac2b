"""Sync with the shop and the central ledger, wired to one console's cache.

``ShopSync`` is ``console.sync``: a run (pull, then push), the status bar's figures, and the
push half on its own. ``CentralLedgerAudit`` is ``console.ledger_audit``: every desk's chain as
the central ledger holds it. Both import the sync and replication machinery only when used, so
a command that never syncs does not pay for loading it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from csconsole.domain.errors import CsConsoleError
from csconsole.services.ports import Clock, ProgressReport, SecretStore
from csconsole.services.search import SearchService
from csconsole.services.settings import Settings

if TYPE_CHECKING:
    from csconsole.persistence.replication.audit_check import LedgerCheck
    from csconsole.persistence.replication.ledger_sync import LedgerReport
    from csconsole.persistence.repositories.unit_of_work import SqlUnitOfWorkFactory
    from csconsole.services.outbox import OutboxBacklog, PushReport
    from csconsole.sync.runner import PushStep, SyncReport, SyncRun
    from csconsole.sync.shop.mapping import ShopMapping
    from csconsole.sync.status import SyncStatus

# stage, done, total (0: unknown)


def open_ledger(url: str, secrets: SecretStore) -> Engine:
    """An engine on the central ledger at ``url``: ``sqlcipher:///path`` is an encrypted SQLite
    file keyed from the keyring (the demo's own ledger); anything else is a database server (or
    a plain SQLite file) reached as the shop is, its password from the keyring."""
    if url.startswith("sqlcipher:"):
        from pathlib import Path

        from csconsole.persistence.cache.encrypted_ledger import ledger_key, open_encrypted_ledger

        path = Path(url.removeprefix("sqlcipher:").removeprefix("///")).expanduser()
        if not url.startswith("sqlcipher:///") or not path.is_absolute():
            raise CsConsoleError(
                "ledger_url: an encrypted ledger is written sqlcipher:///absolute/path.db."
            )
        return open_encrypted_ledger(path, ledger_key(secrets, path, create=False))
    from csconsole.sync.shop.connection import full_url, shop_engine

    return shop_engine(full_url(url, secrets))


class ShopSync:
    """``console.sync``: everything the window and the commands do with the shop's database and
    the central ledger."""

    def __init__(
        self,
        *,
        settings: Settings,
        secrets: SecretStore,
        engine: Engine,
        uow: SqlUnitOfWorkFactory,
        clock: Clock,
        search: SearchService,
        workstation: str,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._engine = engine
        self._uow = uow
        self._clock = clock
        self._search = search
        self._workstation = workstation

    @property
    def connected(self) -> bool:
        """A shop database is configured (the window syncs on its timer only then)."""
        return bool(self._settings.shop_url)

    def run(
        self,
        *,
        full: bool = False,
        progress: ProgressReport | None = None,
        cancelled: Callable[[], bool] | None = None,
        retries: int = 0,
        push: bool = True,
    ) -> SyncReport:
        """One sync with the shop, on the calling thread (the window runs it on its sync
        thread): the pull (``sync.runner``), then the push step (``push``)."""
        from csconsole.persistence.cache.store import SqliteCacheStore
        from csconsole.sync.runner import run_sync

        try:
            return run_sync(
                shop_url=self._settings.shop_url,
                mapping_name=self._settings.shop_mapping,
                secrets=self._secrets,
                open_cache=lambda: SqliteCacheStore(self._engine, clock=self._clock),
                full=full,
                progress=progress,
                cancelled=cancelled,
                push=self._push_step() if push else None,
                retries=retries,
            )
        finally:
            self._search.forget_vocabulary()

    def status(self) -> SyncStatus:
        """For the status bar (reads the cache: call it off the window thread)."""
        from csconsole.persistence.cache.sync_log import read_sync_status

        return read_sync_status(self._engine, connected=self.connected)

    def backlog(self) -> OutboxBacklog:
        """What waits to be sent and the conflicts to settle: the status bar's own count."""
        from csconsole.persistence.cache.sync_log import outbox_backlog

        return outbox_backlog(self._engine)

    def push(
        self,
        *,
        shop: Engine | None,
        ledger: Engine | None,
        mapping: ShopMapping | None = None,
        actor: str = "sync",
        cancelled: Callable[[], bool] | None = None,
    ) -> tuple[PushReport | None, LedgerReport | None]:
        """The push half of a sync: outbox items into the shop, then the ledger replication
        (push this desk's records, pull the others'). Either engine may be None."""
        from csconsole.persistence.replication.ledger_sync import LedgerReplicator
        from csconsole.persistence.repositories.outbox import SqlOutboxQueue
        from csconsole.sync.push.outbox_push import ShopPusher
        from csconsole.sync.retry import describe, is_transient
        from csconsole.sync.shop.targets import write_target

        queue = SqlOutboxQueue(self._engine, self._uow, actor=actor)
        pushed = None
        if shop is not None:
            pusher = ShopPusher(
                shop,
                workstation=self._workstation,
                clock=self._clock,
                targets=write_target(mapping),
            )
            pushed = pusher.push(queue, cancelled=cancelled)
        replicated = None
        if ledger is not None and not (cancelled and cancelled()):
            replicator = LedgerReplicator(
                self._engine,
                ledger,
                uow=self._uow,
                queue=queue,
                workstation=self._workstation,
                clock=self._clock,
                transient=is_transient,
                describe=describe,
            )
            replicated = replicator.sync()
        return pushed, replicated

    def _push_step(self) -> PushStep:
        """The sync run's push hook: the outbox into the shop, then the ledger replication."""

        def step(run: SyncRun) -> tuple[PushReport | None, LedgerReport | None]:
            from csconsole.sync.errors import SyncError

            ledger = None
            if self._settings.ledger_url:
                ledger = open_ledger(self._settings.ledger_url, self._secrets)
            try:
                pushed, replicated = self.push(
                    shop=run.engine, ledger=ledger, mapping=run.mapping, cancelled=run.cancelled
                )
            finally:
                if ledger is not None:
                    ledger.dispose()
            if replicated is not None and replicated.error:
                # The run fails with the reason: the log, the status bar and the exit say so.
                raise SyncError(f"The ledger sync stopped: {replicated.error}")
            return pushed, replicated

        return step


class CentralLedgerAudit:
    """``console.ledger_audit``: the audit chains in the central ledger (``ledger_url``), and
    this desk's trail against its central copy."""

    def __init__(self, *, settings: Settings, secrets: SecretStore, engine: Engine) -> None:
        self._settings = settings
        self._secrets = secrets
        self._engine = engine

    @property
    def configured(self) -> bool:
        return bool(self._settings.ledger_url)

    def verify(self) -> LedgerCheck:
        """Each desk's audit chain as the central ledger holds it, each against the newest
        head its desk pushed, and this desk's trail against its copy, event by event."""
        from sqlalchemy.exc import SQLAlchemyError

        from csconsole.persistence.replication.audit_check import check_ledger
        from csconsole.sync.shop.connection import classify

        if not self.configured:
            raise CsConsoleError(
                "No central ledger is set up (ledger_url in settings.toml), so only the local "
                "trail can be checked."
            )
        ledger = open_ledger(self._settings.ledger_url, self._secrets)
        try:
            return check_ledger(self._engine, ledger)
        except (SQLAlchemyError, OSError) as exc:
            raise classify(exc, ledger.url) from None
        finally:
            ledger.dispose()
