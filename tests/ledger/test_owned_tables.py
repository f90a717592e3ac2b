"""Declaring a table of records each console owns (as cases will be) is enough for it to
replicate: derived central and replica tables, push by ledger records, pull of the others'."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
    update,
)

from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.capture import ledger_record_values
from csconsole.persistence.ledger.tables import REPLICATED, owned
from csconsole.persistence.models.outbox import OutboxEntry
from csconsole.persistence.replication.ledger_sync import LedgerReplicator
from csconsole.persistence.repositories.outbox import SqlOutboxQueue

cache_md = MetaData()
ledger_md = MetaData()
NOTE = Table(
    "test_note",
    cache_md,
    Column("id", Integer, primary_key=True),
    Column("author_id", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
)
SPEC = owned(NOTE, central_metadata=ledger_md, replica_metadata=cache_md)


def write_note(console: Any, note_id: int, body: str, status: str = "open") -> None:
    with console.engine.begin() as conn:
        found = conn.execute(select(NOTE.c.id).where(NOTE.c.id == note_id)).first()
        values = {"body": body, "status": status}
        if found is None:
            conn.execute(
                NOTE.insert().values(
                    id=note_id, author_id=1, at=datetime(2026, 1, 2, 3, 4, 5, 6), **values
                )
            )
        else:
            conn.execute(update(NOTE).where(NOTE.c.id == note_id).values(**values))
        conn.execute(
            OutboxEntry.__table__.insert(),
            [ledger_record_values(SPEC, str(note_id), console.clock.now())],
        )


def sync(console: Any, ledger: Engine) -> Any:
    replicator = LedgerReplicator(
        console.engine,
        ledger,
        uow=console.uow,
        queue=SqlOutboxQueue(console.engine, console.uow),
        workstation=console.settings.workstation,
        clock=console.clock,
        tables=(*REPLICATED, SPEC),
    )
    report = replicator.sync()
    assert report.error == ""
    return report


def replica(console: Any) -> dict[tuple[str, int], tuple[str, str]]:
    assert SPEC.replica is not None
    with console.engine.connect() as conn:
        rows = conn.execute(select(SPEC.replica)).mappings().all()
    return {(r["origin"], r["id"]): (r["body"], r["status"]) for r in rows}


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_owned_records_reach_the_other_console(
    console_factory, database_url: str, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, _ = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    for console in (a, b):
        cache_md.create_all(console.engine)
    ledger_migrate.upgrade(ledger)
    SPEC.central.create(ledger)  # a ledger migration makes it when the table is declared
    sync(a, ledger)  # staff published ...
    sync(b, ledger)  # ... and adopted

    write_note(a, 1, "A's first")
    write_note(a, 2, "A's second")
    write_note(b, 1, "B's first")  # the same local id on another desk: another record
    assert sync(a, ledger).pushed_records == 2
    assert sync(b, ledger).pushed_records == 1
    sync(a, ledger)

    assert replica(a) == {("desk-b", 1): ("B's first", "open")}
    assert replica(b) == {
        ("desk-a", 1): ("A's first", "open"),
        ("desk-a", 2): ("A's second", "open"),
    }

    write_note(a, 1, "A's first, edited", "closed")
    sync(a, ledger)
    sync(b, ledger)
    assert replica(b)[("desk-a", 1)] == ("A's first, edited", "closed")
    with ledger.connect() as conn:
        held = conn.execute(select(SPEC.central.c.origin, SPEC.central.c.id)).all()
        at = conn.execute(select(SPEC.central.c.at).where(SPEC.central.c.id == 2)).scalar()
    assert sorted(tuple(r) for r in held) == [("desk-a", 1), ("desk-a", 2), ("desk-b", 1)]
    assert at == datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)  # microseconds kept on MariaDB too
