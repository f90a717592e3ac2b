"""The embedded demo: a demo shop, a cache loaded from it, demo staff."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings, save_settings
from csconsole.app.console import Console
from csconsole.demo.generator import generate_demo_shop
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.staff import Role
from csconsole.persistence.cache.engine import cache_key_name
from csconsole.persistence.cache.reference_loader import load_reference_sqlite
from csconsole.services.ports import ProgressReport, SecretStore
from csconsole.services.settings import Settings

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
) -> tuple[Console, list[tuple[str, str, Role]], dict[str, int]]:
    """Make the demo shop, load the cache from it, create demo staff.

    Returns the open console, the staff credentials (shown once, stored only as hashes) and
    the row counts loaded.
    """
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
        secrets.delete(cache_key_name(paths.cache_file))
    generator(paths.demo_shop_file, customers=customers, seed=seed, progress=progress)
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
