"""Replicating owned tables: records only their origin console writes (cases, verifications,
disclosures, approvals), kept centrally under ``(origin, id)``.

Push: the table's ``ledger_record`` items, one central transaction per batch: the current local
rows are upserted under the console's origin (its workstation name) and a new revision. An
upsert of the same content is harmless, so a batch replayed after a kill changes nothing.
Pull: other origins' rows after the watermark, upserted into the replica table in the cache
transaction that moves the watermark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, select, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from csconsole.persistence.ledger.tables import ORIGIN, Replicated
from csconsole.persistence.replication.shared import settle_records
from csconsole.persistence.replication.signed_rows import (
    Refusal,
    decision_pull_refusals,
    decision_push_refusals,
)
from csconsole.persistence.replication.state import next_rev, read_state, write_state
from csconsole.services.checkpoints import checkpoint
from csconsole.services.outbox import PendingItem, PushOutcome

PULL_PAGE = 5000


def _key_value(spec: Replicated, raw: str) -> Any:
    try:
        kind = spec.local.c[spec.key].type.python_type
    except NotImplementedError:
        return raw
    return kind(raw) if kind is int else raw


def push_owned(
    spec: Replicated,
    items: Sequence[PendingItem],
    *,
    cache: Engine,
    ledger: Engine,
    origin: str,
    now: datetime,
    refused: list[Refusal] | None = None,
) -> dict[PushOutcome, int]:
    """Upsert the items' rows centrally; a decision without a valid signature of a person
    allowed to make it (``signed_rows``) is refused: not written, its item failed, and the
    refusal added to ``refused``."""
    local, central = spec.local, spec.central
    keys: dict[int, Any] = {}
    outcomes: dict[int, tuple[PushOutcome, int | None]] = {}
    for p in items:
        try:
            keys[p.outbox_id] = _key_value(spec, p.item.entity_key)
        except ValueError:
            outcomes[p.outbox_id] = (PushOutcome.FAILED, None)
    wanted = sorted(set(keys.values()))
    with cache.connect() as conn:
        rows = {
            r[spec.key]: dict(r)
            for r in conn.execute(select(local).where(local.c[spec.key].in_(wanted))).mappings()
        }
    with ledger.begin() as lc:
        reasons = decision_push_refusals(lc, spec, rows)
        for key, reason in reasons.items():
            rows.pop(key)
            if refused is not None:
                refused.append(Refusal(spec.name, f"{origin}/{key}", reason))
        rev = next_rev(lc)
        held = set(
            lc.execute(
                select(central.c[spec.key]).where(
                    central.c[ORIGIN] == origin, central.c[spec.key].in_(list(rows))
                )
            ).scalars()
        )
        fresh = [{**r, ORIGIN: origin, "rev": rev} for k, r in rows.items() if k not in held]
        if fresh:
            lc.execute(central.insert(), fresh)
        changed = [{**r, "k_": k, "o_": origin, "rev": rev} for k, r in rows.items() if k in held]
        if changed:
            lc.execute(
                update(central)
                .where(central.c[ORIGIN] == bindparam("o_"), central.c[spec.key] == bindparam("k_"))
                .values({c: bindparam(c) for c in [*spec.columns, "rev"] if c != spec.key}),
                changed,
            )
        checkpoint("ledger.owned.before_central_commit")
    checkpoint("ledger.owned.after_central_commit")
    for outbox_id, key in keys.items():
        outcomes[outbox_id] = (PushOutcome.APPLIED if key in rows else PushOutcome.FAILED, None)
    settle_records(cache, outcomes, now)
    counts: dict[PushOutcome, int] = {}
    for outcome, _ in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def pull_owned(
    spec: Replicated,
    cache: Engine,
    ledger: Engine,
    origin: str,
    refused: list[Refusal] | None = None,
) -> int:
    """Other origins' rows into the replica table; returns rows written. A decision without
    a valid signature is left out and added to ``refused``."""
    assert spec.replica is not None
    central, replica = spec.central, spec.replica
    with cache.connect() as conn:
        watermark = read_state(conn, spec.name).pulled_rev
    position: tuple[Any, ...] | None = None
    written = 0
    order = (central.c.rev, central.c[ORIGIN], central.c[spec.key])
    while True:
        query = select(central).where(central.c.rev > watermark)
        if position is not None:
            query = query.where(
                and_(central.c.rev >= position[0], tuple_(*order) > tuple_(*position))
            )
        with ledger.connect() as lc:
            rows = [dict(r) for r in lc.execute(query.order_by(*order).limit(PULL_PAGE)).mappings()]
        if not rows:
            return written
        last = rows[-1]
        position = (last["rev"], last[ORIGIN], last[spec.key])
        complete = len(rows) < PULL_PAGE
        theirs = [r for r in rows if r[ORIGIN] != origin]  # this console's own come back too
        with cache.begin() as conn:
            reasons = decision_pull_refusals(conn, spec, theirs)
            for row, reason in zip(theirs, reasons, strict=True):
                if reason is not None and refused is not None:
                    refused.append(Refusal(spec.name, f"{row[ORIGIN]}/{row[spec.key]}", reason))
            theirs = [r for r, reason in zip(theirs, reasons, strict=True) if reason is None]
            if theirs:
                stmt = sqlite_insert(replica)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[ORIGIN, spec.key],
                    set_={
                        c.name: stmt.excluded[c.name] for c in replica.columns if not c.primary_key
                    },
                )
                conn.execute(stmt, theirs)
                written += len(theirs)
            mark = last["rev"] if complete else last["rev"] - 1
            write_state(conn, spec.name, pulled_rev=max(mark, watermark))
            checkpoint("ledger.owned.before_pull_commit")
        checkpoint("ledger.owned.after_pull_commit")
        if complete:
            return written
