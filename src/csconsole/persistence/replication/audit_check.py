"""Checking the audit chains the central ledger holds, one per workstation, the way the local
trail is checked (``domain.audit_integrity.assess_trail``).

The ledger keeps each workstation's events as written there (``(workstation, seq)``, hashes
unchanged, see ``replication.chain``), so each chain verifies on its own from the genesis hash.
Rows are converted defensively, as for the local trail: a tampered value is reported at its
event, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, select

from csconsole.domain.audit_chain import AuditEntry
from csconsole.domain.audit_integrity import IntegrityReport, assess_trail
from csconsole.persistence.ledger import schema as ledger_schema
from csconsole.persistence.repositories.audit_guard import entry_from_row

_ORDER = ("seq", "at", "actor", "role", "workstation", "action", "customer_id", "case_id")
_COLUMNS = (*_ORDER, "details", "prev_hash", "hash")


def _rows(ledger: Engine, workstation: str) -> Iterator[tuple[AuditEntry, str, str]]:
    table = ledger_schema.audit_event
    query = (
        select(*[table.c[c] for c in _COLUMNS])
        .where(table.c.workstation == workstation)
        .order_by(table.c.seq)
    )
    with ledger.connect() as conn:
        for row in conn.execute(query):
            yield entry_from_row(tuple(row))


def central_trails(ledger: Engine) -> dict[str, IntegrityReport]:
    """Every workstation's chain in the ledger, by workstation name."""
    table = ledger_schema.audit_event
    with ledger.connect() as conn:
        workstations: list[Any] = list(
            conn.execute(select(table.c.workstation).distinct().order_by(table.c.workstation))
            .scalars()
            .all()
        )
    return {str(ws): assess_trail(_rows(ledger, str(ws))) for ws in workstations}
