"""The machine's real PostgreSQL and MariaDB for the ledger and push tests.

Each test run creates its own uniquely named PostgreSQL database (dropped at the end) and gives
each test a fresh schema in it; each MariaDB test gets its own database. An unreachable server
makes the tests fail, never skip: these tests exist to run against real servers.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from csconsole.demo import schema_path

PG_ADMIN = os.environ.get(
    "CSCONSOLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN = os.environ.get(
    "CSCONSOLE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/mysql"
)


def _unique(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _admin(url: str) -> Engine:
    connect_args = {"connect_timeout": 5}
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args=connect_args)


@contextmanager
def pg_database() -> Iterator[str]:
    """A new PostgreSQL database for the whole run; yields its URL."""
    name = _unique("csc3b")
    admin = _admin(PG_ADMIN)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                # DROP DATABASE waits for every backend of the server to acknowledge it; a
                # stuck foreign session must not hang the run, so the wait is bounded.
                conn.exec_driver_sql("SET statement_timeout = '15s'")
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:
            print(f"could not drop test database {name}: {type(exc).__name__}", file=sys.stderr)
        admin.dispose()


@contextmanager
def pg_schema(database_url: str) -> Iterator[str]:
    """A fresh schema in the run's database; yields a URL whose search_path is that schema."""
    name = _unique("s").lower()
    engine = _admin(database_url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        engine.dispose()


@contextmanager
def mariadb_database() -> Iterator[str]:
    name = _unique("csc3b")
    admin = _admin(MARIADB_ADMIN)
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    try:
        url = make_url(MARIADB_ADMIN).set(database=name).update_query_dict({"charset": "utf8mb4"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


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
