"""One timestamp column type for every model and the central ledger: naive UTC stored (as it
always was, so stored values and the audit chain's hashes do not change), aware UTC read back;
"now" in persistence comes from the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, select, text

from csconsole.persistence.ledger import schema as ledger_schema
from csconsole.persistence.models import Base
from csconsole.persistence.models.base import UtcDateTime

SRC = Path(__file__).resolve().parents[2] / "src/csconsole/persistence"


def _table() -> Table:
    return Table(
        "t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime)
    )


def test_stores_naive_utc_and_reads_aware_utc() -> None:
    engine = create_engine("sqlite://")
    table = _table()
    table.metadata.create_all(engine)
    berlin = timezone(timedelta(hours=1))
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": 1, "at": datetime(2026, 1, 2, 4, 4, 5, 6, berlin)}])
        conn.execute(table.insert(), [{"id": 2, "at": datetime(2026, 1, 2, 3, 4, 5, 6)}])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT at FROM t ORDER BY id")).scalars().all()
        read = conn.execute(select(table.c.at).order_by(table.c.id)).scalars().all()
    # The text SQLAlchemy's plain DateTime writes for a naive UTC value: the same for both.
    assert stored == ["2026-01-02 03:04:05.000006"] * 2
    assert read == [datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)] * 2
    # A comparison binds through the type too: an aware bound matches the stored naive value.
    with engine.connect() as conn:
        found = conn.execute(
            select(table.c.id).where(table.c.at >= datetime(2026, 1, 2, 4, 4, 5, 6, berlin))
        ).scalars()
        assert sorted(found) == [1, 2]


def test_every_timestamp_column_of_the_models_and_the_ledger_is_utc() -> None:
    tables = [*Base.metadata.tables.values(), *ledger_schema.ledger_metadata.tables.values()]
    timestamps = [
        f"{t.name}.{c.name}"
        for t in tables
        for c in t.columns
        if isinstance(c.type, DateTime | UtcDateTime)
    ]
    assert len(timestamps) > 30
    plain = [
        f"{t.name}.{c.name}" for t in tables for c in t.columns if isinstance(c.type, DateTime)
    ]
    assert plain == []


def test_persistence_takes_now_from_the_clock() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "datetime.now(" in path.read_text(encoding="utf-8")
        or "datetime.utcnow(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
