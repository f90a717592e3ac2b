"""Checking the audit chains the central ledger holds, one per desk, the way the local trail is
checked (``domain.audit_integrity.assess_trail``); each against the newest head its desk pushed
(``csconsole_desk_head``); and this desk's own trail against its central copy, event by event
(``domain.chain_compare``).

The ledger keeps each desk's events as written there (``(workstation, seq)``, hashes unchanged,
see ``replication.chain``), so each chain verifies on its own from the genesis hash. A chain is
named by its desk id (``desk``); rows pushed before desk ids existed belong to the chain their
workstation names. Rows are converted defensively, as for the local trail: a tampered value is
reported at its event, never a crash.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, inspect, or_, select, text

from csconsole.domain.audit_chain import AuditEntry, ChainReport
from csconsole.domain.audit_integrity import IntegrityReport, assess_trail
from csconsole.domain.chain_compare import ChainDifference, first_difference
from csconsole.domain.errors import CsConsoleError
from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger import schema as ledger_schema
from csconsole.persistence.replication.state import CHAIN_STATE, desk_id, read_state
from csconsole.persistence.repositories.audit_guard import entry_from_row

_ORDER = ("seq", "at", "actor", "role", "workstation", "action", "customer_id", "case_id")
_COLUMNS = (*_ORDER, "details", "prev_hash", "hash")
_events = ledger_schema.audit_event
_heads = ledger_schema.desk_head


@dataclass(frozen=True, slots=True)
class DeskChain:
    """One desk's chain as the central ledger holds it."""

    desk: str
    workstation: str  # the name on its newest event
    report: IntegrityReport
    head_seq: int = 0  # the newest head the desk pushed (0: none recorded)


def chain_of(desk: str, names: Collection[str] = ()) -> ColumnElement[bool]:
    """The central rows of one desk's chain: its own, and rows without a desk id (pushed
    before desk ids existed, or written by hand) under its id or one of its ``names``."""
    legacy = sorted({desk, *names})
    return or_(
        _events.c.desk == desk, and_(_events.c.desk.is_(None), _events.c.workstation.in_(legacy))
    )


def chain_key() -> ColumnElement[str]:
    return func.coalesce(_events.c.desk, _events.c.workstation)


def desk_rows(
    ledger: Engine, desk: str, names: Collection[str] = ()
) -> Iterator[tuple[AuditEntry, str, str]]:
    query = (
        select(*[_events.c[c] for c in _COLUMNS])
        .where(chain_of(desk, names))
        .order_by(_events.c.seq)
    )
    with ledger.connect() as conn:
        for row in conn.execute(query):
            yield entry_from_row(tuple(row))


def newest_head(conn: Connection, desk: str) -> tuple[int, str] | None:
    row = conn.execute(
        select(_heads.c.seq, _heads.c.hash)
        .where(_heads.c.desk == desk)
        .order_by(_heads.c.seq.desc())
        .limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else None


def _head_problem(
    conn: Connection, desk: str, names: Collection[str], head: tuple[int, str]
) -> tuple[int, str] | None:
    """Whether the central chain still reaches the head its desk pushed: (bad seq, problem)."""
    seq, digest = head
    mine = chain_of(desk, names)
    held = conn.execute(select(_events.c.hash).where(mine, _events.c.seq == seq)).scalar()
    if held == digest:
        return None
    if held is not None:
        return seq, f"event {seq}: not the event the desk pushed as its head (changed)"
    last = conn.execute(select(func.max(_events.c.seq)).where(mine)).scalar()
    first_missing = int(last or 0) + 1
    return first_missing, (
        f"event {first_missing}: missing, the desk pushed events up to {seq} (deleted from the "
        "central ledger)"
    )


def _desks(conn: Connection) -> dict[str, set[str]]:
    """Every desk id, with the workstation names its chain was written under; rows without a
    desk id under none of those names make a chain of their own (named by the workstation)."""
    desks: dict[str, set[str]] = {}
    for desk, name in conn.execute(
        select(_events.c.desk, _events.c.workstation).where(_events.c.desk.is_not(None)).distinct()
    ):
        desks.setdefault(str(desk), set()).add(str(name))
    for desk in conn.execute(select(_heads.c.desk).distinct()).scalars():
        desks.setdefault(str(desk), set())
    claimed = {n for names in desks.values() for n in names} | set(desks)
    for name in conn.execute(
        select(_events.c.workstation).where(_events.c.desk.is_(None)).distinct()
    ).scalars():
        if name not in claimed:
            desks[str(name)] = set()
    return dict(sorted(desks.items()))


def _latest_name(conn: Connection, desk: str, names: Collection[str]) -> str:
    name = conn.execute(
        select(_events.c.workstation)
        .where(chain_of(desk, names))
        .order_by(_events.c.seq.desc())
        .limit(1)
    ).scalar()
    if name is None:
        name = conn.execute(
            select(_heads.c.workstation)
            .where(_heads.c.desk == desk)
            .order_by(_heads.c.seq.desc())
            .limit(1)
        ).scalar()
    return str(name if name is not None else desk)


def central_chains(ledger: Engine) -> dict[str, DeskChain]:
    """Every desk's chain in the ledger, by desk id."""
    with ledger.connect() as conn:
        desks = _desks(conn)
    out: dict[str, DeskChain] = {}
    for desk, names in desks.items():
        report = assess_trail(desk_rows(ledger, desk, names))
        with ledger.connect() as conn:
            head = newest_head(conn, desk)
            name = _latest_name(conn, desk, names)
            ok = report.chain.ok
            problem = _head_problem(conn, desk, names, head) if head and ok else None
        if problem is not None:
            broken = ChainReport(False, report.events, report.head, *problem)
            report = IntegrityReport(broken, report.events, report.head, report.acknowledged)
        out[desk] = DeskChain(desk, name, report, head[0] if head else 0)
    return out


def compare_with_central(
    cache: Engine, ledger: Engine | None
) -> tuple[str, ChainDifference | None]:
    """This desk's trail against its central copy: (desk id, the first difference or None).
    ``ledger`` None: a ledger no desk has synced with yet (its tables do not exist)."""
    with cache.begin() as conn:
        desk = desk_id(conn)
        # The central copy must reach as far as this desk noted it pushed, and as its head.
        reach = read_state(conn, CHAIN_STATE).pushed_key
    central: Iterator[tuple[AuditEntry, str, str]] = iter(())
    if ledger is not None:
        with ledger.connect() as conn:
            head = newest_head(conn, desk)
            names = _desks(conn).get(desk, set())
        reach = max(reach, head[0] if head else 0)
        central = desk_rows(ledger, desk, names)
    with cache.connect() as conn:
        here = (
            entry_from_row(tuple(row))
            for row in conn.execute(
                text(f"SELECT {', '.join(_COLUMNS)} FROM audit_event ORDER BY seq")  # noqa: S608
            )
        )
        return desk, first_difference(here, central, central_head=reach)


class LedgerNotCurrent(CsConsoleError):
    """The central ledger's schema is not the one this console checks."""


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    """What ``audit verify`` checked in the central ledger: every desk's chain there, and this
    desk's trail against its central copy."""

    desk: str  # this desk's id
    chains: dict[str, DeskChain]
    difference: ChainDifference | None

    @property
    def ok(self) -> bool:
        return self.difference is None and all(c.report.ok for c in self.chains.values())


def check_ledger(cache: Engine, ledger: Engine) -> LedgerCheck:
    if not inspect(ledger).has_table(_events.name):
        desk, difference = compare_with_central(cache, None)  # nothing central yet
        return LedgerCheck(desk, {}, difference)
    if not ledger_migrate.is_current(ledger):
        raise LedgerNotCurrent(
            "The central ledger's schema is not this console's version: run `csconsole sync` "
            "once (it brings the ledger up), then check again."
        )
    chains = central_chains(ledger)
    desk, difference = compare_with_central(cache, ledger)
    return LedgerCheck(desk, chains, difference)
