"""Reading the sync log and counters for the status bar (``sync.status.SyncStatus``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exc

from csconsole.sync.status import SyncStatus


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _count(conn: Any, sql: str) -> int:
    try:
        return int(conn.exec_driver_sql(sql).scalar() or 0)
    except exc.OperationalError:  # a table of a migration branch not applied here
        return 0


def read_sync_status(engine: Engine, *, connected: bool = True) -> SyncStatus:
    with engine.connect() as conn:
        last = conn.exec_driver_sql(
            "SELECT started_at, status, message FROM sync_run ORDER BY id DESC LIMIT 1"
        ).first()
        ok = conn.exec_driver_sql(
            "SELECT max(coalesce(finished_at, started_at)) FROM sync_run WHERE status = 'ok'"
        ).scalar()
        pending = _count(conn, "SELECT count(*) FROM outbox WHERE status = 'pending'")
        conflicts = _count(conn, "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL")
        issues = _count(conn, "SELECT count(*) FROM sync_row_issue WHERE outcome = 'skipped'")
    return SyncStatus(
        connected=connected,
        last_ok_at=_dt(ok),
        last_attempt_at=_dt(last[0]) if last else None,
        last_outcome=str(last[1]) if last else None,
        last_message=str(last[2]) if last and last[2] else None,
        pending_outbox=pending,
        conflicts=conflicts,
        row_issues=issues,
    )
