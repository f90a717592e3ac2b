"""Reading the sync log and counters for the status bar (``sync.status.SyncStatus``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exc

from csconsole.services.outbox import LEDGER_KIND, OutboxBacklog
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


def read_outbox_backlog(conn: Any) -> OutboxBacklog:
    """The one count of what waits to be sent (``services.outbox.OutboxBacklog``)."""
    pending: dict[bool, int] = {}
    try:
        rows = conn.exec_driver_sql(
            "SELECT kind = ?, count(*) FROM outbox WHERE status = 'pending' GROUP BY 1",
            (LEDGER_KIND,),
        ).all()
        pending = {bool(is_ledger): int(n) for is_ledger, n in rows}
    except exc.OperationalError:  # a cache whose outbox migration is not applied here
        pass
    conflicts = _count(conn, "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL")
    return OutboxBacklog(
        shop_changes=pending.get(False, 0),
        ledger_records=pending.get(True, 0),
        conflicts=conflicts,
    )


def outbox_backlog(engine: Engine) -> OutboxBacklog:
    with engine.connect() as conn:
        return read_outbox_backlog(conn)


def read_sync_status(engine: Engine, *, connected: bool = True) -> SyncStatus:
    with engine.connect() as conn:
        last = conn.exec_driver_sql(
            "SELECT started_at, status, message FROM sync_run ORDER BY id DESC LIMIT 1"
        ).first()
        ok = conn.exec_driver_sql(
            "SELECT max(coalesce(finished_at, started_at)) FROM sync_run WHERE status = 'ok'"
        ).scalar()
        backlog = read_outbox_backlog(conn)
        issues = _count(conn, "SELECT count(*) FROM sync_row_issue WHERE outcome = 'skipped'")
    return SyncStatus(
        connected=connected,
        last_ok_at=_dt(ok),
        last_attempt_at=_dt(last[0]) if last else None,
        last_outcome=str(last[1]) if last else None,
        last_message=str(last[2]) if last and last[2] else None,
        pending_outbox=backlog.to_send,
        conflicts=backlog.conflicts,
        row_issues=issues,
    )
