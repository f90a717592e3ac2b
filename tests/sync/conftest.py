"""Fixtures for the sync tests: real PostgreSQL and MariaDB databases made and dropped per
test, the demo shop, and consoles connected to a shop.

The servers are part of the test environment (CI starts both). When one cannot be reached its
tests fail with the reason; they are never skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, save_settings
from csconsole.app import Console
from csconsole.services.settings import Settings
from tests.sync.shop_databases import check_server, scratch_database

MakeConsole = Callable[..., Console]


def _require(kind: str, where: str) -> None:
    reason = check_server(kind)
    if reason is not None:
        pytest.fail(
            f"{kind} at {where} is not reachable ({reason}). The sync tests run against the "
            "real server; start it (CI does) instead of skipping them.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def postgres_server() -> None:
    _require("postgresql", "127.0.0.1:5432")


@pytest.fixture(scope="session")
def mariadb_server() -> None:
    _require("mariadb", "127.0.0.1:3306")


@pytest.fixture
def pg_url(postgres_server: None) -> Iterator[str]:
    with scratch_database("postgresql") as url:
        yield url


@pytest.fixture
def mariadb_url(mariadb_server: None) -> Iterator[str]:
    with scratch_database("mariadb") as url:
        yield url


@pytest.fixture
def demo_shop(tmp_path: Path, demo_template: Path) -> Path:
    """A private copy of the 400-customer demo shop (SQLite, reference schema)."""
    path = tmp_path / "shop.sqlite"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def make_console(paths: Paths, secret_store: KeyringSecretStore) -> Iterator[MakeConsole]:
    """``make_console(shop_url, mapping="reference")``: a fresh encrypted cache connected to
    the shop (settings saved as ``csconsole connect`` saves them)."""
    opened: list[Console] = []

    def make(shop_url: str, mapping: str = "reference") -> Console:
        from csconsole.sync.shop.connection import store_url

        saved = store_url(shop_url, secret_store)
        save_settings(paths, Settings(shop_url=saved, shop_mapping=mapping))
        console = Console.open(paths, secret_store, create=True)
        opened.append(console)
        return console

    yield make
    for console in opened:
        console.close()
