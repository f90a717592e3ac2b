"""Small shared pieces of ledger replication: the central revision clock and the cache's
per-table replica state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from csconsole.persistence.ledger.schema import clock
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.outbox import LedgerReplicaState

_state = core_table(LedgerReplicaState)


class ChainFork(Exception):
    """Another audit chain already uses this workstation's name in the central ledger."""

    def __init__(self, workstation: str, seq: int) -> None:
        super().__init__(
            f"the central ledger already holds a different audit event {seq} for workstation "
            f"{workstation!r}: another cache uses the same workstation name. Set a unique "
            "`workstation` in settings.toml before syncing this cache."
        )
        self.workstation = workstation
        self.seq = seq


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
