"""Fixtures of the ledger and push tests (imported by ``tests/push/conftest.py`` and
``tests/ledger/conftest.py``): real databases, demo consoles with their own homes, a keyring a
child process can read."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, save_settings
from csconsole.services.settings import Settings
from tests.push.file_keyring import FileKeyring
from tests.push.servers import (
    fill_shop,
    load_reference_schema,
    mariadb_database,
    pg_database,
    pg_schema,
    sqlite_url,
)

SHOP_CUSTOMERS = 60


@pytest.fixture(scope="session")
def pg_run_database() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
def pg_url(pg_run_database: str) -> Iterator[str]:
    with pg_schema(pg_run_database) as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    with mariadb_database() as url:
        yield url


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    """Engines a test opens are disposed of after it (before its databases are dropped)."""
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on the backend of the test's ``backend`` parameter."""
    backend = request.param
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "db.sqlite")
    elif backend == "postgresql":
        with pg_schema(request.getfixturevalue("pg_run_database")) as url:
            yield url
    else:
        with mariadb_database() as url:
            yield url


def make_shop(url: str, engines: list[Engine], customers: int = SHOP_CUSTOMERS) -> Engine:
    engine = create_engine(url)
    engines.append(engine)
    load_reference_schema(engine)
    fill_shop(engine, customers)
    return engine


@pytest.fixture
def console_factory(
    tmp_path: Path, demo_template: Path
) -> Iterator[Callable[..., tuple[Any, dict[str, tuple[str, str]]]]]:
    """Builds demo consoles, each with its own CSCONSOLE_HOME, workstation name and keyring
    file; returns (console, {role: (user, password)})."""
    from csconsole.app.demo import build_demo

    def copy_template(path: Path, **_: object) -> None:
        shutil.copyfile(demo_template, path)

    opened: list[Any] = []

    def make(name: str, workstation: str | None = None) -> tuple[Any, dict[str, tuple[str, str]]]:
        root = tmp_path / name
        paths = Paths(root / "config", root / "data")
        save_settings(paths, Settings(workstation=workstation or name))
        secrets = KeyringSecretStore(FileKeyring(str(root / "keyring.json")))
        console, credentials, _ = build_demo(
            customers=400, seed=7, paths=paths, secrets=secrets, generator=copy_template
        )
        opened.append(console)
        return console, {role.value: (user, pw) for user, pw, role in credentials}

    yield make
    for console in opened:
        console.close()
