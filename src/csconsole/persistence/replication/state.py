"""Small shared pieces of ledger replication: the central revision clock, the cache's
per-table replica state and its desk id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from csconsole.persistence.ledger.schema import clock
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.ledger import AuditEvent, CacheMeta
from csconsole.persistence.models.outbox import LedgerReplicaState

_state = core_table(LedgerReplicaState)
_meta = core_table(CacheMeta)
_events = core_table(AuditEvent)
DESK_KEY = "ledger_desk"
CHAIN_STATE = "audit_event"  # the replica state row of the audit chain


class ChainFork(Exception):
    """This desk's audit chain and the central ledger disagree: a different event at the same
    place, a tail deleted on one side, or another desk's chain under this workstation's name.
    The message names the event (``seq``) and says which side differs; it never quotes data."""

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq


def name_taken(workstation: str, seq: int) -> ChainFork:
    return ChainFork(
        f"the central ledger already holds a different audit event {seq} for workstation "
        f"{workstation!r} (another desk's chain): another cache uses the same workstation "
        "name. Set a unique `workstation` in settings.toml before syncing this cache.",
        seq,
    )


def desk_id(conn: Connection) -> str:
    """This cache's desk id: the name of its audit chain in the central ledger, which a rename
    of the workstation does not change. Made at the first push: a cache that pushed before desk
    ids existed keeps the name its chain has there (its first event's workstation)."""
    value = conn.execute(select(_meta.c.value).where(_meta.c.key == DESK_KEY)).scalar()
    if value is not None:
        return str(value)
    desk = uuid.uuid4().hex
    if read_state(conn, CHAIN_STATE).pushed_key > 0:
        first = conn.execute(select(_events.c.workstation).where(_events.c.seq == 1)).scalar()
        desk = str(first) if first else desk
    conn.execute(_meta.insert().values(key=DESK_KEY, value=desk))
    return desk


def next_rev(conn: Connection) -> int:
    """Take the next ledger revision; the clock row stays locked until this transaction ends,
    so revisions become visible in the order they were taken."""
    conn.execute(update(clock).where(clock.c.id == 1).values(rev=clock.c.rev + 1))
    return int(conn.execute(select(clock.c.rev).where(clock.c.id == 1)).scalar_one())


@dataclass(frozen=True, slots=True)
class ReplicaState:
    pulled_rev: int = 0
    pushed_key: int = 0


def read_state(conn: Connection, name: str) -> ReplicaState:
    row = conn.execute(
        select(_state.c.pulled_rev, _state.c.pushed_key).where(_state.c.table_name == name)
    ).first()
    return ReplicaState(int(row[0]), int(row[1])) if row else ReplicaState()


def write_state(
    conn: Connection, name: str, *, pulled_rev: int | None = None, pushed_key: int | None = None
) -> None:
    current = read_state(conn, name)
    values = {
        "pulled_rev": current.pulled_rev if pulled_rev is None else pulled_rev,
        "pushed_key": current.pushed_key if pushed_key is None else pushed_key,
    }
    done = conn.execute(update(_state).where(_state.c.table_name == name).values(values))
    if done.rowcount == 0:
        conn.execute(_state.insert().values(table_name=name, **values))
