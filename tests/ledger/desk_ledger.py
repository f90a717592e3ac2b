"""A PostgreSQL central ledger with desk roles, for the desk role and guard tests: a throwaway
database migrated by its owner (the server's admin), and each desk's own login role made by
``grant_desk`` (server-wide roles: dropped after the database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.desk_roles import grant_desk
from tests.db_servers import PG_ADMIN, pg_database

PASSWORD = "desk-password-for-tests"


@dataclass
class DeskLedger:
    url: str
    owner: Engine
    roles: list[str] = field(default_factory=list)
    engines: list[Engine] = field(default_factory=list)

    def url_of(self, role: str) -> str:
        # Trust authentication on the test server: the role is what counts.
        url = make_url(self.url).set(username=role, password=PASSWORD)
        return url.render_as_string(hide_password=False)

    def desk(self, workstation: str) -> Engine:
        """The engine a desk syncs with: its own login role, granted for ``workstation``."""
        grant = grant_desk(self.owner, workstation, PASSWORD, now=datetime.now(UTC))
        self.roles.append(grant.role)
        engine = create_engine(self.url_of(grant.role))
        self.engines.append(engine)
        return engine


def drop_roles(roles: list[str]) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for role in roles:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        admin.dispose()


@pytest.fixture
def desk_ledger(postgres_server: None) -> Iterator[DeskLedger]:
    ledger: DeskLedger | None = None
    try:
        with pg_database() as url:
            owner = create_engine(url)
            ledger_migrate.upgrade(owner)
            ledger = DeskLedger(url, owner)
            try:
                yield ledger
            finally:
                for engine in [*ledger.engines, owner]:
                    engine.dispose()
    finally:
        if ledger is not None:
            drop_roles(ledger.roles)


def refused(error: pytest.ExceptionInfo[DBAPIError]) -> str:
    """The database's refusal: SQLSTATE 42501 (a privilege or a guard), its first line."""
    assert getattr(error.value.orig, "sqlstate", None) == "42501", error.value
    return str(error.value.orig).splitlines()[0]
