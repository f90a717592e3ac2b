"""The machine's real PostgreSQL and MariaDB, for the tests of the shop connection, the push and
the central ledger (CI starts both, see .ci/run). Fixtures, shared through tests/conftest.py:

- ``pg_url``: a new empty PostgreSQL database for this test, dropped after it.
- ``mariadb_url``: a new empty MariaDB database for this test, dropped after it.
- ``database_url``: an empty database on the backend named by the test's indirect parameter
  (``"sqlite"``, ``"postgresql"``, ``"mariadb"``): a SQLite file, or ``pg_url``/``mariadb_url``.
- ``postgres_server``/``mariadb_server``: the server answers. Every fixture above needs it; a
  server that cannot be reached fails the test with the reason, never skips it.

A test that needs more than one database (a shop and a ledger) uses ``pg_database()`` or
``mariadb_database()`` directly, after requesting the server fixture.

``CSCONSOLE_TEST_PG`` and ``CSCONSOLE_TEST_MARIADB`` name other servers (an admin URL with a
maintenance database).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from csconsole.persistence.ledger.guards import group_role_name

PG_ADMIN = os.environ.get(
    "CSCONSOLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN = os.environ.get(
    "CSCONSOLE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/mysql"
)
SERVERS = {"postgresql": PG_ADMIN, "mariadb": MARIADB_ADMIN}
BACKENDS = ("sqlite", "postgresql", "mariadb")


def _unique(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


def _admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def url_with_database(admin_url: str, database: str) -> str:
    """The server's admin URL pointed at another database (the password kept, if any)."""
    url = make_url(admin_url).set(database=database)
    if url.get_backend_name() == "mysql":
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


def server_problem(kind: str) -> str | None:
    """None if the server answers, else why not (the driver's first line, no password)."""
    engine = _admin(SERVERS[kind])
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return None
    except Exception as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        return f"{type(exc).__name__}: {first_line}"
    finally:
        engine.dispose()


def require_server(kind: str) -> None:
    problem = server_problem(kind)
    if problem is not None:
        where = make_url(SERVERS[kind]).render_as_string(hide_password=True)
        pytest.fail(
            f"{kind} at {where} is not reachable ({problem}). These tests run against the real "
            "server; start it (CI does) instead of skipping them.",
            pytrace=False,
        )


@contextmanager
def _dropping(admin: Engine, statements: list[str], name: str) -> Iterator[None]:
    try:
        yield
    finally:
        try:
            with admin.connect() as conn:
                for statement in statements:
                    conn.exec_driver_sql(statement)
        except Exception as exc:  # a database left behind must not hide the test's own result
            print(f"could not drop test database {name}: {type(exc).__name__}", file=sys.stderr)
        admin.dispose()


@contextmanager
def pg_database() -> Iterator[str]:
    """A new empty PostgreSQL database (UTF-8), dropped afterwards; yields its URL."""
    name = _unique("csc_test")
    admin = _admin(PG_ADMIN)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    # DROP DATABASE waits for every backend of the server to acknowledge it; a stuck foreign
    # session must not hang the run, so the wait is bounded.
    drop = ["SET statement_timeout = '15s'", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']
    # The ledger's desk group role (ledger revision l0007) is server-wide: it goes too.
    drop.append(f'DROP ROLE IF EXISTS "{group_role_name(name)}"')
    with _dropping(admin, drop, name):
        yield url_with_database(PG_ADMIN, name)


@contextmanager
def mariadb_database() -> Iterator[str]:
    """A new empty MariaDB database (utf8mb4), dropped afterwards; yields its URL."""
    name = _unique("csc_test")
    admin = _admin(MARIADB_ADMIN)
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    with _dropping(admin, [f"DROP DATABASE IF EXISTS `{name}`"], name):
        yield url_with_database(MARIADB_ADMIN, name)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_server() -> None:
    require_server("postgresql")


@pytest.fixture(scope="session")
def mariadb_server() -> None:
    require_server("mariadb")


@pytest.fixture
def pg_url(postgres_server: None) -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
def mariadb_url(mariadb_server: None) -> Iterator[str]:
    with mariadb_database() as url:
        yield url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on the backend of the test's indirect ``database_url`` parameter."""
    backend = request.param
    if backend == "sqlite":
        return sqlite_url(tmp_path / "db.sqlite")
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    if backend == "mariadb":
        return str(request.getfixturevalue("mariadb_url"))
    raise ValueError(f"unknown backend {backend!r}; one of {BACKENDS}")
