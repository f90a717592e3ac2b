"""Captures changes to owned ledger tables (``persistence.ledger.tables``) as
``ledger_record`` outbox items, in the flush that writes them, so a record and its way to the
central ledger commit together.

Installed on the unit of work's session factory with its clock; writes made with Core statements
(the pull's own) are not captured, which is what keeps pulled rows from being pushed back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from csconsole.persistence.ledger.tables import OWNED_BY_LOCAL, Replicated
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.outbox import OutboxEntry
from csconsole.services.outbox import LEDGER_KIND, Status
from csconsole.services.ports import Clock


def capture_ledger_records(factory: sessionmaker[Session], clock: Clock) -> None:
    """Queue the ledger records of every flush of ``factory``'s sessions, stamped by ``clock``."""

    def after_flush(session: Session, _context: Any) -> None:
        _queue_records(session, clock)

    event.listen(factory, "after_flush", after_flush)


def _queue_records(session: Session, clock: Clock) -> None:
    """After the flush's statements (new rows have their ids), before its bookkeeping is reset
    (``session.new``, ``session.dirty`` and attribute history still show what was flushed); the
    outbox rows are inserted on the flush's connection, in its transaction."""
    queued: set[tuple[str, str]] = set()
    rows: list[dict[str, Any]] = []
    now: datetime | None = None
    for obj in [*session.new, *session.dirty]:
        table = getattr(type(obj), "__table__", None)
        spec = OWNED_BY_LOCAL.get(getattr(table, "name", ""))
        if spec is None or (obj not in session.new and not _changed(obj, spec)):
            continue
        key = str(getattr(obj, spec.key))
        if (spec.name, key) in queued:
            continue
        queued.add((spec.name, key))
        now = now or clock.now()
        rows.append(ledger_record_values(spec, key, now))
    if rows:
        session.connection().execute(core_table(OutboxEntry).insert(), rows)


def ledger_record(spec: Replicated, key: str, now: datetime) -> OutboxEntry:
    return OutboxEntry(**ledger_record_values(spec, key, now))


def ledger_record_values(spec: Replicated, key: str, now: datetime) -> dict[str, Any]:
    """An outbox row, created ``now``, saying "send this row of a shared table to the central
    ledger"."""
    return {
        "kind": LEDGER_KIND,
        "entity": spec.name,
        "entity_key": key,
        "changes": "{}",
        "expected": "{}",
        "idempotency_key": f"ledger:{spec.name}:{uuid.uuid4().hex}",
        "case_id": None,
        "status": Status.PENDING.value,
        "created_at": now,
        "attempts": 0,
    }


def _changed(obj: Any, spec: Replicated) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in spec.columns)
