"""The central ledger's own migrations on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, String, create_engine, inspect, select

from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.schema import VERSION_TABLE, audit_event, clock, ledger_metadata
from tests.push.fixtures import load_reference_schema

BACKENDS = ["sqlite", "postgresql", "mariadb"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upgrade_check_downgrade_upgrade(database_url: str, engines: list[Engine]) -> None:
    engine = create_engine(database_url)
    engines.append(engine)
    # The ledger may live in the shop's own database: the shop's tables stay untouched.
    load_reference_schema(engine)
    shop_tables = set(inspect(engine).get_table_names())

    assert not ledger_migrate.is_current(engine)
    ledger_migrate.upgrade(engine)
    assert ledger_migrate.is_current(engine)
    ledger_migrate.check(engine)  # the migrations build exactly the declared schema

    tables = set(inspect(engine).get_table_names())
    assert set(ledger_metadata.tables) | {VERSION_TABLE} | shop_tables == tables
    assert "alembic_version" not in tables  # a shop using Alembic keeps its own version table
    with engine.connect() as conn:
        assert conn.execute(select(clock.c.rev).where(clock.c.id == 1)).scalar_one() == 0

    ledger_migrate.upgrade(engine)  # a no-op the second time
    ledger_migrate.downgrade(engine)
    assert set(inspect(engine).get_table_names()) - {VERSION_TABLE} == shop_tables
    ledger_migrate.upgrade(engine)
    ledger_migrate.check(engine)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_timestamps_keep_microseconds_and_text_keeps_every_character(
    database_url: str, engines: list[Engine]
) -> None:
    """The audit chain hashes the time to the microsecond and the details as written."""
    engine = create_engine(database_url)
    engines.append(engine)
    ledger_migrate.upgrade(engine)
    at = datetime(2026, 1, 2, 3, 4, 5, 678901)
    details = '{"note": "Σωκράτης 王伟 😀 Ünïcödé"}'
    with engine.begin() as conn:
        conn.execute(
            audit_event.insert().values(
                workstation="Desk-A",
                seq=1,
                at=at,
                actor="rep",
                role="rep",
                action="x",
                details=details,
                prev_hash="0" * 64,
                hash="a" * 64,
                rev=1,
            )
        )
        # Keys compare exactly (a binary collation on MariaDB): another case is another desk.
        conn.execute(
            audit_event.insert().values(
                workstation="desk-a",
                seq=1,
                at=at,
                actor="rep",
                role="rep",
                action="x",
                details="{}",
                prev_hash="0" * 64,
                hash="b" * 64,
                rev=1,
            )
        )
    with engine.connect() as conn:
        row = conn.execute(
            select(audit_event.c.at, audit_event.c.details).where(
                audit_event.c.workstation == "Desk-A"
            )
        ).one()
    assert row.at == at.replace(tzinfo=UTC)  # stored naive UTC, read back aware, microseconds kept
    with engine.connect() as conn:
        stored = conn.execute(
            select(audit_event.c.at.cast(String(40))).where(audit_event.c.workstation == "Desk-A")
        ).scalar_one()
    assert stored.startswith("2026-01-02") and "+" not in stored  # no zone written
    assert row.details == details
