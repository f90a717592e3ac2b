"""Shared fixtures: an in-memory keyring, a private CSCONSOLE_HOME, a small real demo cache, the
case world (a hand-made shop the case and verification tests know, see tests/casework.py), and
the real database servers' fresh databases (tests/db_servers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest
from keyring.backend import KeyringBackend

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from tests.db_servers import (  # noqa: F401  (fixtures are found by name)
    database_url,
    mariadb_server,
    mariadb_url,
    pg_url,
    postgres_server,
)

if TYPE_CHECKING:
    from tests.casework import CaseWorld, OpenWorld

# Qt tests run offscreen unless the run sets a platform (xvfb-run sets DISPLAY, not this).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class MemoryKeyring(KeyringBackend):
    """A keyring backend that lives in this process only (unit tests never touch a real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            import keyring.errors

            raise keyring.errors.PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private CSCONSOLE_HOME for the test."""
    root = tmp_path / "home"
    monkeypatch.setenv("CSCONSOLE_HOME", str(root))
    return root


@pytest.fixture
def paths(home: Path) -> Paths:
    return Paths.from_environment()


@pytest.fixture
def secret_store(memory_keyring: MemoryKeyring) -> KeyringSecretStore:
    return KeyringSecretStore(memory_keyring)


DEMO_CUSTOMERS = 400
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop file, generated once per test run (copied per test)."""
    from csconsole.demo.generator import generate_demo_shop

    path = tmp_path_factory.mktemp("demo") / "demo-shop.sqlite"
    generate_demo_shop(path, customers=DEMO_CUSTOMERS, seed=DEMO_SEED)
    return path


@pytest.fixture
def demo(
    paths: Paths,
    secret_store: KeyringSecretStore,
    demo_template: Path,
):  # type: ignore[no-untyped-def]
    """A real encrypted cache loaded from the demo shop, with demo staff.

    Yields (console, {role: (username, password)}).
    """
    import shutil

    from csconsole.app.demo import build_demo

    def copy_template(path: Path, **_: object) -> None:
        shutil.copyfile(demo_template, path)

    console, credentials, _ = build_demo(
        customers=DEMO_CUSTOMERS,
        seed=DEMO_SEED,
        paths=paths,
        secrets=secret_store,
        generator=copy_template,
    )
    staff = {role.value: (user, password) for user, password, role in credentials}
    try:
        yield console, staff
    finally:
        console.close()


@pytest.fixture
def open_world(
    paths: Paths, secret_store: KeyringSecretStore, tmp_path: Path
) -> Iterator[OpenWorld]:
    """Opens the case world with the options a test needs (a policy profile, a central ledger;
    ``console_open=False`` for command tests, whose commands open their own console), once per
    test; its console is closed at the end."""
    from tests.casework import open_case_world

    to_close: list[CaseWorld] = []
    calls = 0

    def open_(
        *, profile: str | None = None, ledger_url: str = "", console_open: bool = True
    ) -> CaseWorld:
        nonlocal calls
        calls += 1
        assert calls == 1, "one case world per test: they share the test's CSCONSOLE_HOME"
        world = open_case_world(
            paths, secret_store, tmp_path, profile=profile, ledger_url=ledger_url
        )
        if console_open:
            to_close.append(world)
        else:
            world.console.close()
        return world

    yield open_
    for world in to_close:
        world.console.close()


@pytest.fixture
def world(open_world: OpenWorld) -> CaseWorld:
    """The case world with the default profile, its console open."""
    return open_world()
