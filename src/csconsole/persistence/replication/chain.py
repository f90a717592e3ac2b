"""Replicating hash-chained, append-only tables (the audit trail) through the central ledger.

Push: this cache's events after the last pushed ``seq``, in batches; each batch is one central
transaction that first compares the events the ledger already holds for this desk's chain (the
same hash: pushed by a run that died before the cache noted it; another hash: a fork, refused)
and inserts the rest under a new revision, tagged with the desk id (``state.desk_id``: the
chain stays one chain when the workstation is renamed), and appends the new head. The central
keys ``(workstation, seq)`` and ``(desk, seq)`` make a duplicate impossible whatever the timing
of a crash.

Pull: central rows after the cache's revision watermark, other workstations' only (a row
whose hash is in the local chain is this cache's own), inserted into the replica table with
``INSERT OR IGNORE`` in the same cache transaction that moves the watermark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, and_, func, select, tuple_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from csconsole.persistence.ledger.schema import desk_head
from csconsole.persistence.ledger.tables import Replicated
from csconsole.persistence.replication.audit_check import (
    chain_key,
    chain_of,
    compare_with_central,
    newest_head,
)
from csconsole.persistence.replication.state import (
    ChainFork,
    desk_id,
    name_taken,
    next_rev,
    read_state,
    write_state,
)
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
    """Push this cache's new events; returns how many the ledger did not have.

    Refuses (``ChainFork``) whatever would make the central copy disagree with this desk's
    chain: a different event already held at the same place, a first new event that does not
    follow the central head, or a central copy that reaches further than this desk's chain (its
    tail was deleted here). Each batch appends this desk's new head to ``csconsole_desk_head``.
    """
    try:
        return _push(spec, cache, ledger)
    except Diverged:
        # Name the first event that differs (the push saw only where it stopped).
        _, difference = compare_with_central(cache, ledger)
        if difference is None:
            raise
        raise Diverged(difference.problem, difference.seq) from None


def _push(spec: Replicated, cache: Engine, ledger: Engine) -> int:
    local, central = spec.local, spec.central
    pushed = 0
    with cache.begin() as conn:
        desk = desk_id(conn)
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
            _check_reach(spec, cache, ledger, desk)
            return pushed
        with ledger.begin() as lc:
            rev = next_rev(lc)
            fresh = _fresh_rows(lc, central, desk, rows)
            if fresh:
                lc.execute(central.insert(), [{**r, "desk": desk, "rev": rev} for r in fresh])
                _append_head(lc, desk, rows[-1], rev)
            checkpoint("ledger.chain.before_central_commit")
        checkpoint("ledger.chain.after_central_commit")
        after = rows[-1].seq
        with cache.begin() as conn:
            write_state(conn, spec.name, pushed_key=after)
        checkpoint("ledger.chain.after_cache_commit")
        pushed += len(fresh)


def _fresh_rows(
    lc: Connection, central: Table, desk: str, rows: Sequence[Row[Any]]
) -> list[dict[str, Any]]:
    """The batch's rows the central copy lacks, after checking the rest against it."""
    lo, hi = rows[0].seq, rows[-1].seq
    held = dict(
        lc.execute(
            select(central.c.seq, central.c.hash).where(
                chain_of(desk), central.c.seq.between(max(lo - 1, 1), hi)
            )
        ).all()
    )
    for r in rows:
        if r.seq in held and held[r.seq] != r.hash:
            raise diverged(r.seq, "a different event")
    fresh = [r for r in rows if r.seq not in held]
    if fresh and fresh[0].seq > 1:
        before = held.get(fresh[0].seq - 1)
        if before is None:
            before = lc.execute(
                select(central.c.hash).where(chain_of(desk), central.c.seq == fresh[0].seq - 1)
            ).scalar()
        if before is not None and before != fresh[0].prev_hash:
            raise diverged(fresh[0].seq - 1, "a different event")
    if not fresh:
        return []
    taken = lc.execute(
        select(central.c.workstation, central.c.seq)
        .where(
            chain_key() != desk,
            central.c.workstation.in_(sorted({r.workstation for r in fresh})),
            central.c.seq.between(fresh[0].seq, hi),
        )
        .order_by(central.c.seq)
        .limit(1)
    ).first()
    if taken is not None:
        raise name_taken(taken.workstation, taken.seq)
    return [r._asdict() for r in fresh]


def _append_head(lc: Connection, desk: str, last: Row[Any], rev: int) -> None:
    known = lc.execute(
        select(desk_head.c.hash).where(desk_head.c.desk == desk, desk_head.c.seq == last.seq)
    ).first()
    if known is None:
        lc.execute(
            desk_head.insert().values(
                desk=desk, seq=last.seq, hash=last.hash, workstation=last.workstation, rev=rev
            )
        )


def _check_reach(spec: Replicated, cache: Engine, ledger: Engine, desk: str) -> None:
    """After the push: the central copy must not reach further than this desk's chain."""
    with ledger.connect() as lc:
        head = newest_head(lc, desk)
        last_central = lc.execute(
            select(func.max(spec.central.c.seq)).where(chain_of(desk))
        ).scalar()
    reach = max(head[0] if head else 0, int(last_central or 0))
    if reach == 0:
        return
    with cache.connect() as conn:
        last_here = conn.execute(select(func.max(spec.local.c.seq))).scalar()
    if int(last_here or 0) < reach:
        raise diverged(int(last_here or 0) + 1, "it, and this desk does not (deleted here)")


class Diverged(ChainFork):
    """This desk's chain and its central copy differ (not another desk's name)."""

    def __init__(self, problem: str, seq: int) -> None:
        super().__init__(
            f"this desk's audit chain differs from its central copy at {problem}. Run "
            "`csconsole audit verify` and tell a supervisor; nothing more of the chain is pushed "
            "until it is settled.",
            seq,
        )


def diverged(seq: int, what: str) -> Diverged:
    return Diverged(f"event {seq}: the central ledger holds {what}", seq)


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


def _own_hashes(conn: Any, local: Any, hashes: list[str]) -> set[str]:
    own: set[str] = set()
    for i in range(0, len(hashes), _CHUNK):
        chunk = hashes[i : i + _CHUNK]
        own.update(conn.execute(select(local.c.hash).where(local.c.hash.in_(chunk))).scalars())
    return own
