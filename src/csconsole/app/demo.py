"""The embedded demo: a demo shop, a cache loaded from it, demo staff."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import sqlcipher3

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings, private_dir, save_settings
from csconsole.app.console import Console
from csconsole.demo.generator import generate_demo_shop
from csconsole.domain.errors import CacheError, CsConsoleError
from csconsole.domain.staff import Role
from csconsole.persistence.cache.encrypted_ledger import (
    delete_encrypted_ledger,
    ledger_key,
    open_encrypted_ledger,
)
from csconsole.persistence.cache.engine import cache_key, cache_key_name, open_cache, owner_only
from csconsole.persistence.cache.reference_loader import load_reference_sqlite
from csconsole.services.demo_rebuild import BUILT, REBUILT, DemoRebuildService, DeskSurvey
from csconsole.services.ports import DetailValue, ProgressReport, SecretStore
from csconsole.services.settings import Settings
from csconsole.sync.shop.connection import redact

DEMO_STAFF = [
    ("rep", "Demo Rep", Role.REP),
    ("supervisor", "Demo Supervisor", Role.SUPERVISOR),
    ("admin", "Demo Admin", Role.ADMIN),
]

# stage, done, total (0: unknown)


class DemoGenerator(Protocol):
    """Writes a demo shop file at ``path`` (``csconsole.demo.generator.generate_demo_shop``;
    tests pass one that copies a file made once)."""

    def __call__(
        self, path: Path, *, customers: int, seed: int, progress: ProgressReport | None
    ) -> object: ...


def build_demo(
    *,
    customers: int,
    seed: int,
    paths: Paths | None = None,
    secrets: SecretStore | None = None,
    force: bool = False,
    progress: ProgressReport | None = None,
    generator: DemoGenerator = generate_demo_shop,
    replaced: dict[str, DetailValue] | None = None,
) -> tuple[Console, list[tuple[str, str, Role]], dict[str, int]]:
    """Make the demo shop, load the cache from it, create demo staff.

    ``replaced``: what a forced rebuild wipes, as ``DemoRebuildService.authorize`` allowed it
    (recorded in the new demo's trail as ``demo.rebuilt``; else ``demo.built``).

    Returns the open console, the staff credentials (shown once, stored only as hashes) and
    the row counts loaded.
    """
    paths = paths or Paths.from_environment()
    if not force and (paths.cache_file.exists() or paths.demo_shop_file.exists()):
        raise CsConsoleError(
            f"A cache already exists in {paths.data_dir}; pass --force to replace it with a new "
            "demo (everything in it, including its audit trail, is lost)."
        )
    private_dir(paths.data_dir)
    secrets = secrets or KeyringSecretStore()
    if force:
        for path in (paths.cache_file, paths.demo_shop_file):
            for extra in ("", "-wal", "-shm"):
                Path(str(path) + extra).unlink(missing_ok=True)
        secrets.delete(cache_key_name(paths.cache_file))
        delete_encrypted_ledger(paths.demo_ledger_file, secrets)
    generator(paths.demo_shop_file, customers=customers, seed=seed, progress=progress)
    owner_only(paths.demo_shop_file)
    demo_url, ledger_url = demo_urls(paths)
    # The demo syncs with its own shop file (plain: it stands for the shop's own database) and
    # keeps the central ledger in its own encrypted file. The cache is loaded below by a bulk
    # copy; the first sync then makes its full load from the shop in the background.
    open_encrypted_ledger(
        paths.demo_ledger_file,
        ledger_key(secrets, paths.demo_ledger_file, create=True),
        create=True,
    ).dispose()
    settings = load_settings(paths) if paths.settings_file.exists() else Settings()
    save_settings(
        paths,
        settings.with_changes(shop_url=demo_url, shop_mapping="reference", ledger_url=ledger_url),
    )
    console = Console.open(paths, secrets, create=True)
    counts = load_reference_sqlite(
        console.engine, paths.demo_shop_file, progress, clock=console.clock
    )
    credentials = console.auth.bootstrap_staff(DEMO_STAFF)
    # The build's marker: audit events after it are the desk's own (services.demo_rebuild).
    DemoRebuildService(console.staff_audit_uow, console.clock).record_built(replaced=replaced)
    return console, credentials, counts


def demo_urls(paths: Paths) -> tuple[str, str]:
    """The demo's shop URL (its plain shop file) and ledger URL (its encrypted ledger)."""
    return (
        f"sqlite:///{paths.demo_shop_file.resolve()}",
        f"sqlcipher:///{paths.demo_ledger_file.resolve()}",
    )


def survey_desk(paths: Paths, secrets: SecretStore, workstation: str | None = None) -> DeskSurvey:
    """What this desk holds beyond a demo (``services.demo_rebuild``): settings pointing
    elsewhere, cases, audit events after the demo build's marker. A cache whose key is gone
    from the keyring is unreadable: only its settings count."""
    import socket

    settings = load_settings(paths)
    workstation = workstation or settings.workstation or socket.gethostname()
    shop_url, ledger_url = demo_urls(paths)
    # Demos built before the ledger had its own file kept it in the shop file.
    demo_own = {"", shop_url, ledger_url}
    elsewhere = next(
        (url for url in (settings.shop_url, settings.ledger_url) if url not in demo_own), None
    )
    connected_to = redact(elsewhere) if elsewhere is not None else None
    if not paths.cache_file.exists():
        return DeskSurvey(workstation, connected_to, readable=False)
    try:
        key = cache_key(secrets, paths.cache_file, create=False)
        cache = open_cache(paths.cache_file, key)
    except CacheError:
        return DeskSurvey(workstation, connected_to, readable=False)
    con = cache.connect()
    try:
        cases = _count(con, "SELECT count(*) FROM case_record")
        marker = _count(
            con,
            "SELECT coalesce(max(seq), 0) FROM audit_event WHERE action IN (?, ?)",
            (BUILT, REBUILT),
        )
        if marker:
            own = _count(con, "SELECT count(*) FROM audit_event WHERE seq > ?", (marker,))
        else:  # a demo built before the marker: only its staff events are the build's
            own = _count(con, "SELECT count(*) FROM audit_event WHERE action != 'staff.created'")
    finally:
        con.close()
    return DeskSurvey(workstation, connected_to, cases=cases, own_events=own)


def _count(con: Any, sql: str, params: tuple[object, ...] = ()) -> int:
    try:
        return int(con.execute(sql, params).fetchone()[0])
    except sqlcipher3.dbapi2.OperationalError:  # a table an older cache does not have
        return 0
