"""Fixtures for the sync tests: the demo shop, and consoles connected to a shop. The real
PostgreSQL and MariaDB databases (``pg_url``, ``mariadb_url``) are tests/db_servers.py's."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, save_settings
from csconsole.app import Console
from csconsole.services.settings import Settings

MakeConsole = Callable[..., Console]


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
