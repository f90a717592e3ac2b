"""The outbox in the cache: queued in the caller's unit of work (``SqlOutbox``), read and settled
by the push (``SqlOutboxQueue``, one short cache transaction per batch)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from csconsole.persistence.models import CacheMeta
from csconsole.persistence.models.outbox import OutboxEntry, SyncConflict
from csconsole.persistence.stored_time import naive_utc
from csconsole.services.audit import record_system_event
from csconsole.services.checkpoints import checkpoint
from csconsole.services.outbox import (
    KINDS,
    ConflictView,
    ItemResult,
    PendingItem,
    PushOutcome,
    Status,
)
from csconsole.services.ports import Clock, DetailValue, OutboxItem

ORIGIN_KEY = "ledger_origin"
_MAX_KEY = 200


def _dump(values: Mapping[str, DetailValue]) -> str:
    return json.dumps(dict(values), sort_keys=True, ensure_ascii=False)


def _load(raw: str | None) -> dict[str, DetailValue]:
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


def validate(item: OutboxItem) -> None:
    if item.kind not in KINDS:
        raise ValueError(f"outbox kind: {item.kind!r} is not one of {', '.join(KINDS)}")
    if not item.entity or not item.entity_key:
        raise ValueError("outbox item: entity and entity_key are required")
    if not item.idempotency_key or len(item.idempotency_key) > _MAX_KEY:
        raise ValueError(f"outbox idempotency_key: 1 to {_MAX_KEY} characters")


class SqlOutbox:
    """``services.ports.Outbox`` in the caller's session, plus the conflicts a person settles."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    def enqueue(self, item: OutboxItem) -> int:
        validate(item)
        row = OutboxEntry(
            kind=item.kind,
            entity=item.entity,
            entity_key=item.entity_key,
            changes=_dump(item.changes),
            expected=_dump(item.expected),
            idempotency_key=item.idempotency_key,
            case_id=item.case_id,
            status=Status.PENDING.value,
            created_at=self._clock.now(),
            attempts=0,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def open_conflicts(self, limit: int = 200) -> list[ConflictView]:
        rows = self._s.execute(
            select(SyncConflict, OutboxEntry)
            .join(OutboxEntry, OutboxEntry.id == SyncConflict.outbox_id)
            .where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.id)
            .limit(limit)
        ).all()
        return [_conflict_view(c, o) for c, o in rows]

    def conflict(self, conflict_id: int) -> ConflictView | None:
        row = self._s.execute(
            select(SyncConflict, OutboxEntry)
            .join(OutboxEntry, OutboxEntry.id == SyncConflict.outbox_id)
            .where(SyncConflict.id == conflict_id)
        ).first()
        return None if row is None else _conflict_view(row[0], row[1])

    def settle(
        self, conflict_id: int, *, resolution: str, by: str, at: datetime, status: Status
    ) -> None:
        conflict = self._s.get_one(SyncConflict, conflict_id)
        conflict.resolved_at = at
        conflict.resolution = resolution
        conflict.resolved_by = by
        entry = self._s.get_one(OutboxEntry, conflict.outbox_id)
        entry.status = status.value
        self._s.flush()


def _conflict_view(c: SyncConflict, o: OutboxEntry) -> ConflictView:
    return ConflictView(
        conflict_id=c.id,
        outbox_id=o.id,
        kind=o.kind,
        entity=o.entity,
        entity_key=o.entity_key,
        outcome=PushOutcome(c.outcome),
        shop_values=_load(c.shop_values),
        expected=_load(o.expected),
        changes=_load(o.changes),
        detected_at=c.detected_at,
        case_id=o.case_id,
        settled=c.resolved_at is not None,
    )


_STATUS_OF = {
    PushOutcome.APPLIED: Status.APPLIED,
    PushOutcome.CONFLICT: Status.CONFLICT,
    PushOutcome.MISSING: Status.CONFLICT,
    PushOutcome.FAILED: Status.FAILED,
}

_SQL_PENDING = (
    "SELECT id, kind, entity, entity_key, changes, expected, idempotency_key, case_id, attempts"
    " FROM outbox WHERE status = 'pending' AND kind IN ({kinds}) ORDER BY id LIMIT {limit}"
)
_SQL_SETTLE = (
    "UPDATE outbox SET status = ?, settled_at = ?, last_error = ? WHERE id = ? AND status = ?"
)
_SQL_CONFLICT = (
    "INSERT OR IGNORE INTO sync_conflict (outbox_id, outcome, shop_values, detected_at)"
    " VALUES (?, ?, ?, ?)"
)


def _settle(conn: Any, settle: list[tuple[Any, ...]], conflicts: list[tuple[Any, ...]]) -> int:
    done = conn.exec_driver_sql(_SQL_SETTLE, settle).rowcount
    if conflicts:
        conn.exec_driver_sql(_SQL_CONFLICT, conflicts)
    return int(done)


def _summary(results: Sequence[ItemResult]) -> dict[str, DetailValue]:
    """What an audit event says of a settled batch: counts and the outbox ids, no values."""
    counts = {o.value: 0 for o in PushOutcome}
    for r in results:
        counts[r.outcome.value] += 1
    ids = [r.outbox_id for r in results]
    return {**counts, "first_outbox_id": min(ids), "last_outbox_id": max(ids)}


class SqlOutboxQueue:
    """``services.outbox.OutboxQueue`` on the cache engine: batched driver statements, so
    settling a thousand items is one short transaction."""

    def __init__(
        self, engine: Engine, uow: Callable[[], Any] | None = None, actor: str = "sync"
    ) -> None:
        self._engine = engine
        self._uow = uow  # with one, each settled batch is an audit event in its transaction
        self._actor = actor[:64]
        self._origin: str | None = None

    def origin(self) -> str:
        if self._origin is None:
            with self._engine.begin() as conn:
                value = conn.execute(
                    select(CacheMeta.value).where(CacheMeta.key == ORIGIN_KEY)
                ).scalar()
                if value is None:
                    value = uuid.uuid4().hex
                    conn.execute(
                        CacheMeta.__table__.insert().values(key=ORIGIN_KEY, value=value)  # type: ignore[attr-defined]
                    )
            self._origin = str(value)
        return self._origin

    def pending(self, kinds: Sequence[str], limit: int) -> list[PendingItem]:
        wanted = [k for k in kinds if k in KINDS]
        if not wanted:
            return []
        sql = _SQL_PENDING.format(
            kinds=", ".join(f"'{k}'" for k in wanted), limit=max(1, int(limit))
        )
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(sql).all()
        return [
            PendingItem(
                outbox_id=r[0],
                item=OutboxItem(
                    kind=r[1],
                    entity=r[2],
                    entity_key=r[3],
                    changes=_load(r[4]),
                    expected=_load(r[5]),
                    idempotency_key=r[6],
                    case_id=r[7],
                ),
                attempts=r[8],
            )
            for r in rows
        ]

    def record(self, results: Sequence[ItemResult], at: datetime) -> None:
        """Settle items and audit the batch in one cache transaction; only rows still pending
        change, so recording the same outcomes twice is harmless."""
        if not results:
            return
        when = naive_utc(at)  # the statements below are the driver's, past the column types
        settle: list[tuple[Any, ...]] = []
        conflicts: list[tuple[Any, ...]] = []
        for r in results:
            status = _STATUS_OF[r.outcome]
            settle.append((status.value, when, r.reason[:300] or None, r.outbox_id, "pending"))
            if status is Status.CONFLICT:
                conflicts.append((r.outbox_id, r.outcome.value, _dump(r.shop_values), when))
        if self._uow is None:
            with self._engine.begin() as conn:
                _settle(conn, settle, conflicts)
                checkpoint("outbox.before_cache_commit")
        else:
            with self._uow() as uow:
                settled = _settle(uow.session.connection(), settle, conflicts)
                if settled:
                    record_system_event(
                        uow.audit,
                        at=at,
                        actor=self._actor,
                        action="sync.outbox_settled",
                        details=_summary(results),
                    )
                checkpoint("outbox.before_cache_commit")
                uow.commit()
        checkpoint("outbox.after_cache_commit")

    def record_attempt(self, outbox_ids: Sequence[int], reason: str) -> None:
        if not outbox_ids:
            return
        with self._engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                [(reason[:300], i) for i in outbox_ids],
            )

    def counts(self, kinds: Sequence[str] = KINDS) -> dict[str, int]:
        wanted = ", ".join(f"'{k}'" for k in kinds if k in KINDS) or "''"
        sql = f"SELECT status, count(*) FROM outbox WHERE kind IN ({wanted}) GROUP BY status"  # noqa: S608  (known kinds only)
        with self._engine.connect() as conn:
            rows = conn.exec_driver_sql(sql).all()
        return {str(s): int(n) for s, n in rows}
