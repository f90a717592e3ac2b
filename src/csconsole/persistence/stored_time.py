"""How the cache and the ledger store a time: naive UTC. Here, not beside the column type
(``models.base.UtcDateTime``), so the driver-level repositories convert times without loading
SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def naive_utc(value: datetime) -> datetime:
    """``value`` as the databases store a time: UTC without a zone. A naive value is taken to
    be UTC already (what the databases hand back)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value


def aware_utc(value: datetime) -> datetime:
    """A stored time (naive, UTC) as the rest of the console uses it: aware, in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sql_time(value: datetime) -> str:
    """The text SQLAlchemy writes for a time on SQLite, for statements bound past the column
    types: the same bytes whichever way a row was written."""
    return naive_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def from_sql_time(value: Any) -> datetime | None:
    """A time read past the column types (text on SQLite), aware in UTC; ``None`` stays."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return aware_utc(value)
