"""Fixtures of the ledger and push tests (imported by ``tests/push/conftest.py`` and
``tests/ledger/conftest.py``): demo consoles with their own homes, a keyring a child process can
read, the reference shop's tables in a database (the databases: tests/db_servers.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, save_settings
from csconsole.demo import schema_path
from csconsole.services.settings import Settings
from tests.push.file_keyring import FileKeyring

SHOP_CUSTOMERS = 60


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    """Engines a test opens are disposed of after it (before its databases are dropped)."""
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def load_reference_schema(engine: Engine) -> None:
    """The reference shop's tables (its DDL is portable to the three databases)."""
    lines = schema_path().read_text(encoding="utf-8").splitlines()
    ddl = "\n".join(line.split("--")[0] for line in lines)
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)


def fill_shop(engine: Engine, customers: int, *, start: int = 1) -> None:
    """Customers with one billing address each: customer ``n`` is ``First{n} Last{n}``."""
    ts = "2025-03-01 10:00:00"
    people = [
        {
            "id": n,
            "email": f"person{n}@example.com",
            "first": f"First{n}",
            "last": f"Last{n}",
            "ts": ts,
        }
        for n in range(start, start + customers)
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (customer_id, email, first_name, last_name, locale,"
                " created_at, updated_at, is_active, flagged_misuse)"
                " VALUES (:id, :email, :first, :last, 'en_US', :ts, :ts, 1, 0)"
            ),
            people,
        )
        conn.execute(
            text(
                "INSERT INTO addresses (address_id, customer_id, kind, street, city, postcode,"
                " country, phone, updated_at)"
                " VALUES (:id, :id, 'billing', '1 Main St', 'Springfield', '10001', 'US',"
                " '+1 212 555 0100', :ts)"
            ),
            people,
        )


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
