"""Replicating hash-chained, append-only tables (the audit trail) through the central ledger.

Push: this cache's events after the last pushed ``seq``, in batches; each batch is one central
transaction that first compares the events the ledger already holds for those keys (the same
hash: pushed by a run that died before the cache noted it; another hash: a fork, refused) and
inserts the rest under a new revision. The central primary key ``(workstation, seq)`` makes a
duplicate impossible whatever the timing of a crash.

Pull: central rows after the cache's revision watermark, other workstations' only (a row
whose hash is in the local chain is this cache's own), inserted into the replica table with
``INSERT OR IGNORE`` in the same cache transaction that moves the watermark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Row, and_, select, tuple_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from csconsole.persistence.ledger.tables import Replicated
from csconsole.persistence.replication.state import ChainFork, next_rev, read_state, write_state
from csconsole.services.checkpoints import checkpoint

PUSH_BATCH = 2000
PULL_PAGE = 5000
_CHUNK = 500

CHAIN_COLUMNS = (
    "workstation",
    "seq",
    "at",
    "actor",
    "role",
    "action",
    "customer_id",
    "case_id",
    "details",
    "prev_hash",
    "hash",
)


def push_chain(spec: Replicated, cache: Engine, ledger: Engine) -> int:
    """Push this cache's new events; returns how many the ledger did not have."""
    local, central = spec.local, spec.central
    pushed = 0
    with cache.connect() as conn:
        after = read_state(conn, spec.name).pushed_key
    while True:
        with cache.connect() as conn:
            rows = conn.execute(
                select(*[local.c[c] for c in CHAIN_COLUMNS])
                .where(local.c.seq > after)
                .order_by(local.c.seq)
                .limit(PUSH_BATCH)
            ).all()
        if not rows:
            return pushed
        with ledger.begin() as lc:
            rev = next_rev(lc)
            fresh = []
            for workstation, group in _by_workstation(rows).items():
                seqs = [r.seq for r in group]
                held = dict(
                    lc.execute(
                        select(central.c.seq, central.c.hash).where(
                            central.c.workstation == workstation,
                            central.c.seq.between(min(seqs), max(seqs)),
                        )
                    ).all()
                )
                for r in group:
                    if r.seq not in held:
                        fresh.append({**r._asdict(), "rev": rev})
                    elif held[r.seq] != r.hash:
                        raise ChainFork(workstation, r.seq)
            if fresh:
                lc.execute(central.insert(), fresh)
            checkpoint("ledger.chain.before_central_commit")
        checkpoint("ledger.chain.after_central_commit")
        after = rows[-1].seq
        with cache.begin() as conn:
            write_state(conn, spec.name, pushed_key=after)
        checkpoint("ledger.chain.after_cache_commit")
        pushed += len(fresh)


def pull_chain(spec: Replicated, cache: Engine, ledger: Engine) -> int:
    """Pull other workstations' events into the replica table; returns how many were new."""
    assert spec.replica is not None
    central, replica, local = spec.central, spec.replica, spec.local
    with cache.connect() as conn:
        watermark = read_state(conn, spec.name).pulled_rev
    position: tuple[int, str, int] | None = None
    added = 0
    while True:
        query = select(*[central.c[c] for c in (*CHAIN_COLUMNS, "rev")]).where(
            central.c.rev > watermark
        )
        if position is not None:
            query = query.where(
                and_(
                    central.c.rev >= position[0],
                    tuple_(central.c.rev, central.c.workstation, central.c.seq) > tuple_(*position),
                )
            )
        query = query.order_by(central.c.rev, central.c.workstation, central.c.seq)
        with ledger.connect() as lc:
            rows = lc.execute(query.limit(PULL_PAGE)).all()
        if not rows:
            return added
        last = rows[-1]
        position = (last.rev, last.workstation, last.seq)
        complete = len(rows) < PULL_PAGE
        with cache.begin() as conn:
            own = _own_hashes(conn, local, [r.hash for r in rows])
            theirs = [r._asdict() for r in rows if r.hash not in own]
            if theirs:
                stmt = sqlite_insert(replica).on_conflict_do_nothing()
                added += conn.execute(stmt, theirs).rowcount
            # A page can end inside a revision: note only the revisions seen whole.
            write_state(conn, spec.name, pulled_rev=last.rev if complete else last.rev - 1)
            checkpoint("ledger.chain.before_pull_commit")
        checkpoint("ledger.chain.after_pull_commit")
        if complete:
            return added


def _by_workstation(rows: Sequence[Row[Any]]) -> dict[str, list[Row[Any]]]:
    groups: dict[str, list[Row[Any]]] = {}
    for r in rows:
        groups.setdefault(r.workstation, []).append(r)
    return groups


def _own_hashes(conn: Any, local: Any, hashes: list[str]) -> set[str]:
    own: set[str] = set()
    for i in range(0, len(hashes), _CHUNK):
        chunk = hashes[i : i + _CHUNK]
        own.update(conn.execute(select(local.c.hash).where(local.c.hash.in_(chunk))).scalars())
    return own
