"""Replicating shared tables (staff) through the central ledger; the central row is the truth.

Push: the ``ledger_record`` outbox items of the table, in one central transaction: each key's
central row is read under ``FOR UPDATE``; a missing row is inserted, a row still at the version
the cache last pulled is updated (version + 1), a row with the same content is left alone, and
a row someone else changed meanwhile wins (the item ends ``discarded`` with a settled conflict).
Each item's hashed idempotency key and outcome go into ``csconsole_ledger_applied`` in the same
transaction, so an item a killed run already applied is recognised and never applied again.

Pull: central rows after the cache's watermark replace the local ones (by natural key), with
the local surrogate id moved to the central id and every cache foreign key re-pointed. Rows
with a local change still waiting to be pushed are left alone (and the watermark stops before
them). A local row that was never synced and differs from the central one (demo staff made on
this desk) is replaced and the adoption is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text, update

from csconsole.persistence.ledger.capture import ledger_record_values
from csconsole.persistence.ledger.schema import ledger_applied
from csconsole.persistence.ledger.tables import OWNED_BY_LOCAL, Replicated
from csconsole.persistence.models import Base
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.outbox import LedgerRowVersion, OutboxEntry, SyncConflict
from csconsole.persistence.replication.signed_rows import (
    Refusal,
    staff_pull_refusals,
    staff_push_refusals,
)
from csconsole.persistence.replication.state import next_rev, read_state, write_state
from csconsole.persistence.stored_time import naive_utc
from csconsole.services.checkpoints import checkpoint
from csconsole.services.outbox import LEDGER_KIND, PendingItem, PushOutcome, Status

_versions = core_table(LedgerRowVersion)
_outbox = core_table(OutboxEntry)
_conflicts = core_table(SyncConflict)

AuditHook = Callable[[Connection, str, dict[str, Any]], None]


def push_shared(
    spec: Replicated,
    items: Sequence[PendingItem],
    *,
    cache: Engine,
    ledger: Engine,
    key_of: Callable[[str], str],
    workstation: str,
    now: datetime,
    refused: list[Refusal] | None = None,
) -> dict[PushOutcome, int]:
    """Push one batch of a shared table's ledger records; returns counts per outcome. Staff
    rows that do not carry a valid signature (``signed_rows``) are refused: not written, the
    item failed, and the refusal added to ``refused``."""
    local, central = spec.local, spec.central
    keys = sorted({p.item.entity_key for p in items})
    with cache.connect() as conn:
        rows = {
            str(r[spec.key]): dict(r)
            for r in conn.execute(
                select(*[local.c[c] for c in _local_columns(spec)]).where(
                    local.c[spec.key].in_(keys)
                )
            ).mappings()
        }
        bases = _versions_of(conn, spec.name, keys)
    outcomes: dict[int, tuple[PushOutcome, int | None]] = {}
    with ledger.begin() as lc:
        hashed = {p.outbox_id: key_of(p.item.idempotency_key) for p in items}
        seen = {
            str(k): (PushOutcome(o), v)
            for k, o, v in lc.execute(
                select(
                    ledger_applied.c.idempotency_key,
                    ledger_applied.c.outcome,
                    ledger_applied.c.version,
                ).where(ledger_applied.c.idempotency_key.in_(list(hashed.values())))
            )
        }
        todo = [p for p in items if hashed[p.outbox_id] not in seen]
        for p in items:
            if hashed[p.outbox_id] in seen:
                outcomes[p.outbox_id] = seen[hashed[p.outbox_id]]
        if todo:
            rev = next_rev(lc)
            held = {
                str(r[spec.key]): dict(r)
                for r in lc.execute(
                    select(central)
                    .where(central.c[spec.key].in_({p.item.entity_key for p in todo}))
                    .with_for_update()
                ).mappings()
            }
            by_key: dict[str, tuple[PushOutcome, int | None]] = {}
            writes = {
                key: rows[key]
                for key in {p.item.entity_key for p in todo}
                if key in rows and _would_write(spec, rows[key], held.get(key), bases.get(key, 0))
            }
            reasons = staff_push_refusals(lc, spec, writes) if spec.name == "staff" else {}
            for key, reason in sorted(reasons.items()):
                by_key[key] = (PushOutcome.FAILED, None)
                if refused is not None:
                    refused.append(Refusal(spec.name, key, reason))
            for key in sorted({p.item.entity_key for p in todo} - set(reasons)):
                by_key[key] = _push_one(
                    lc, spec, rows.get(key), held.get(key), bases.get(key, 0), rev, workstation
                )
            applied_rows = []
            for p in todo:
                outcomes[p.outbox_id] = by_key[p.item.entity_key]
                outcome, version = by_key[p.item.entity_key]
                applied_rows.append(
                    {
                        "idempotency_key": hashed[p.outbox_id],
                        "applied_at": now,
                        "outcome": outcome.value,
                        "version": version,
                    }
                )
            lc.execute(ledger_applied.insert(), applied_rows)
        checkpoint("ledger.shared.before_central_commit")
    checkpoint("ledger.shared.after_central_commit")
    settle_records(cache, outcomes, now)
    counts: dict[PushOutcome, int] = {}
    for outcome, _ in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _push_one(
    lc: Connection,
    spec: Replicated,
    row: dict[str, Any] | None,
    held: dict[str, Any] | None,
    base: int,
    rev: int,
    workstation: str,
) -> tuple[PushOutcome, int | None]:
    central = spec.central
    if row is None:
        return PushOutcome.FAILED, None  # shared rows are never deleted in the cache
    values = {c: row[c] for c in spec.columns}
    if held is None:
        if spec.id_column and _id_is_free(lc, spec, row[spec.id_column]):
            # The first desk to publish a row keeps its id, so nothing signed in there (a
            # session holds the staff id) is re-pointed by the pull that follows.
            values[spec.id_column] = row[spec.id_column]
        lc.execute(
            central.insert().values(**values, version=1, rev=rev, updated_by=workstation[:100])
        )
        if spec.id_column in values:
            _advance_id_sequence(lc, spec)
        return PushOutcome.APPLIED, 1
    if all(_same(held[c], values[c]) for c in spec.columns):
        return PushOutcome.APPLIED, int(held["version"])
    if int(held["version"]) != base:
        return PushOutcome.CONFLICT, int(held["version"])
    version = base + 1
    lc.execute(
        update(central)
        .where(central.c[spec.key] == values[spec.key])
        .values(**values, version=version, rev=rev, updated_by=workstation[:100])
    )
    return PushOutcome.APPLIED, version


def _would_write(
    spec: Replicated, row: dict[str, Any], held: dict[str, Any] | None, base: int
) -> bool:
    """Whether ``_push_one`` would insert or update the central row (not: same content, or a
    conflict the central row wins)."""
    if held is None:
        return True
    if all(_same(held[c], row[c]) for c in spec.columns):
        return False
    return int(held["version"]) == base


def _local_columns(spec: Replicated) -> tuple[str, ...]:
    if spec.id_column and spec.id_column not in spec.columns:
        return (*spec.columns, spec.id_column)
    return spec.columns


def _id_is_free(lc: Connection, spec: Replicated, wanted: Any) -> bool:
    assert spec.id_column
    column = spec.central.c[spec.id_column]
    return lc.execute(select(column).where(column == wanted).with_for_update()).first() is None


def _advance_id_sequence(lc: Connection, spec: Replicated) -> None:
    """PostgreSQL's serial sequence does not see explicit ids; MariaDB and SQLite do."""
    if lc.dialect.name != "postgresql":
        return
    assert spec.id_column
    top = lc.execute(select(func.max(spec.central.c[spec.id_column]))).scalar()
    lc.execute(
        text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
        {"t": spec.central.name, "c": spec.id_column, "v": top},
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return naive_utc(a) == naive_utc(b)
    if isinstance(a, bool | int) and isinstance(b, bool | int):
        return int(a) == int(b)
    return bool(a == b)


def settle_records(
    cache: Engine, outcomes: dict[int, tuple[PushOutcome, int | None]], now: datetime
) -> None:
    """Record the outcomes at ``now``; a conflict is settled at once: the central row wins."""
    with cache.begin() as conn:
        for outbox_id, (outcome, version) in outcomes.items():
            status = {
                PushOutcome.APPLIED: Status.APPLIED,
                PushOutcome.CONFLICT: Status.DISCARDED,
            }.get(outcome, Status.FAILED)
            conn.execute(
                update(_outbox)
                .where(_outbox.c.id == outbox_id, _outbox.c.status == Status.PENDING.value)
                .values(status=status.value, settled_at=now)
            )
            if outcome is PushOutcome.CONFLICT:
                exists = conn.execute(
                    select(_conflicts.c.id).where(_conflicts.c.outbox_id == outbox_id)
                ).first()
                if exists is None:
                    conn.execute(
                        _conflicts.insert().values(
                            outbox_id=outbox_id,
                            outcome=outcome.value,
                            shop_values=json.dumps({"central_version": version}),
                            detected_at=now,
                            resolved_at=now,
                            resolution="central_wins",
                            resolved_by="sync",
                        )
                    )
        checkpoint("ledger.shared.before_cache_commit")
    checkpoint("ledger.shared.after_cache_commit")


def pull_shared(
    spec: Replicated,
    conn: Connection,
    ledger: Engine,
    audit: AuditHook,
    now: datetime,
    refused: list[Refusal] | None = None,
) -> int:
    """Pull central rows into the local table on ``conn`` (the caller's cache transaction,
    which commits them together with the watermark); returns rows changed here. Staff rows
    without a valid signature are refused (not written; audited ``staff.row_refused`` and
    added to ``refused``)."""
    local, central = spec.local, spec.central
    watermark = read_state(conn, spec.name).pulled_rev
    with ledger.connect() as lc:
        rows = [
            dict(r)
            for r in lc.execute(
                select(central).where(central.c.rev > watermark).order_by(central.c.rev)
            ).mappings()
        ]
    if not rows:
        return 0
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    waiting = set(
        conn.execute(
            select(_outbox.c.entity_key).where(
                _outbox.c.kind == LEDGER_KIND,
                _outbox.c.entity == spec.name,
                _outbox.c.status == Status.PENDING.value,
            )
        ).scalars()
    )
    synced = _versions_of(conn, spec.name, [str(r[spec.key]) for r in rows])
    reasons: dict[str, str] = {}
    if spec.name == "staff":
        arriving = {str(r[spec.key]): r for r in rows if str(r[spec.key]) not in waiting}
        reasons = staff_pull_refusals(conn, spec, arriving, first=watermark == 0)
    new_mark = max(int(r["rev"]) for r in rows)
    changed = 0
    for row in rows:
        key = str(row[spec.key])
        if key in waiting:
            new_mark = min(new_mark, int(row["rev"]) - 1)
            continue
        if key in reasons:
            audit(conn, f"{spec.name}.row_refused", {spec.key: key, "reason": reasons[key]})
            if refused is not None:
                refused.append(Refusal(spec.name, key, reasons[key]))
            continue
        values = {c: row[c] for c in spec.columns}
        here = conn.execute(select(local).where(local.c[spec.key] == row[spec.key])).mappings()
        mine = here.first()
        if spec.id_column:
            _make_room(conn, spec, int(row[spec.id_column]), key, now)
            values[spec.id_column] = row[spec.id_column]
            if mine is not None and mine[spec.id_column] != row[spec.id_column]:
                _rekey(conn, local, spec.id_column, mine[spec.id_column], row[spec.id_column], now)
        if mine is None:
            conn.execute(local.insert().values(**_local_defaults(local, values)))
            changed += 1
        elif not all(_same(mine[c], values[c]) for c in spec.columns):
            conn.execute(update(local).where(local.c[spec.key] == row[spec.key]).values(**values))
            changed += 1
            if key not in synced:
                audit(conn, f"{spec.name}.adopted_from_ledger", {spec.key: key})
        _set_version(conn, spec.name, key, int(row["version"]), fingerprint(spec, row))
    write_state(conn, spec.name, pulled_rev=max(new_mark, watermark))
    checkpoint("ledger.shared.before_pull_commit")
    return changed


def changed_keys(conn: Connection, spec: Replicated) -> list[str]:
    """Local rows to push: never synced (made before this cache first synced, like the demo's
    staff, or made here since), or changed here since the last pull (their content no longer
    matches the fingerprint noted then); rows already on their way are left out."""
    local = spec.local
    known = {
        str(k): str(h)
        for k, h in conn.execute(
            select(_versions.c.row_key, _versions.c.row_hash).where(
                _versions.c.table_name == spec.name
            )
        )
    }
    queued = set(
        conn.execute(
            select(_outbox.c.entity_key).where(
                _outbox.c.kind == LEDGER_KIND,
                _outbox.c.entity == spec.name,
                _outbox.c.status == Status.PENDING.value,
            )
        ).scalars()
    )
    out = []
    for row in conn.execute(select(*[local.c[c] for c in spec.columns])).mappings():
        key = str(row[spec.key])
        if key not in queued and known.get(key) != fingerprint(spec, row):
            out.append(key)
    return out


def fingerprint(spec: Replicated, row: Any) -> str:
    """The content of a row's replicated columns, the same whichever database it was read
    from (booleans as 0/1, times without zone)."""
    parts = []
    for column in spec.columns:
        value = row[column]
        if isinstance(value, bool):
            value = int(value)
        elif isinstance(value, datetime):
            value = naive_utc(value).isoformat()
        parts.append(value)
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _versions_of(conn: Connection, name: str, keys: Sequence[str]) -> dict[str, int]:
    if not keys:
        return {}
    return {
        str(k): int(v)
        for k, v in conn.execute(
            select(_versions.c.row_key, _versions.c.version).where(
                _versions.c.table_name == name, _versions.c.row_key.in_(list(keys))
            )
        )
    }


def _set_version(conn: Connection, name: str, key: str, version: int, row_hash: str) -> None:
    done = conn.execute(
        update(_versions)
        .where(_versions.c.table_name == name, _versions.c.row_key == key)
        .values(version=version, row_hash=row_hash)
    )
    if done.rowcount == 0:
        conn.execute(
            _versions.insert().values(
                table_name=name, row_key=key, version=version, row_hash=row_hash
            )
        )


def _make_room(conn: Connection, spec: Replicated, wanted: int, key: str, now: datetime) -> None:
    """Move a different local row off the id the central row has (it gets its own central id
    when its turn comes)."""
    assert spec.id_column
    local = spec.local
    idc = local.c[spec.id_column]
    occupant = conn.execute(select(idc, local.c[spec.key]).where(idc == wanted)).first()
    if occupant is None or str(occupant[1]) == key:
        return
    free = int(conn.execute(select(idc).order_by(idc.desc()).limit(1)).scalar_one()) + 1
    _rekey(conn, local, spec.id_column, wanted, free, now)


def _rekey(
    conn: Connection, local: Table, id_column: str, old: Any, new: Any, now: datetime
) -> None:
    conn.execute(update(local).where(local.c[id_column] == old).values({id_column: new}))
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == local.name and fk.column.name == id_column:
                column = fk.parent
                owned = OWNED_BY_LOCAL.get(table.name)
                if owned is not None:  # the central copy must follow (a Core write is not captured)
                    keys = conn.execute(select(table.c[owned.key]).where(column == old)).scalars()
                    records = [ledger_record_values(owned, str(k), now) for k in keys]
                    if records:
                        conn.execute(_outbox.insert(), records)
                conn.execute(update(table).where(column == old).values({column.name: new}))


def _local_defaults(local: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Local-only columns of a new row (sign-in failures for staff) start empty."""
    out = dict(values)
    for column in local.columns:
        if column.name in out or column.nullable:
            continue
        default = getattr(column.default, "arg", None)
        if default is not None and not callable(default):
            out[column.name] = default
    return out
