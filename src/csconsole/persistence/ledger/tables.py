"""Which console tables replicate through the central ledger, and how. Adding a table is
declaring it here (plus its central table in a ledger migration and, for an owned table, its
replica table in a cache migration).

Three ways a table replicates:

- ``chain``: append-only, hash-chained rows each console writes on its own (the audit trail).
  Pushed by key watermark, kept in the central ledger per workstation (``(workstation, seq)``,
  hashes unchanged), pulled into a replica table of the cache.
- ``shared``: rows every console shares, with a natural key (staff by user name). Local changes
  are found at sync time (a row never synced, or whose content no longer matches the
  fingerprint of the last pull) and queued as ``ledger_record`` outbox items, pushed with
  an optimistic version check (the central row wins a conflict), and central rows are pulled
  into the local table itself; its surrogate id follows the central one (``id_column``), and
  every foreign key to it in the cache is re-pointed when it changes.
- ``owned``: records each console writes about its own work (cases, verifications,
  disclosures, approvals): captured as ``ledger_record`` outbox items in the flush that writes
  them (``persistence.ledger.capture``), kept centrally per workstation
  (``(origin, id)``), pulled into a replica table. Only their origin ever writes them, so a push
  is an upsert that cannot conflict. ``owned()`` derives the central and replica tables from
  the local one; declaring a table is adding ``owned(MyModel.__table__)`` to ``REPLICATED``
  and the two tables to a ledger migration and a cache migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from csconsole.persistence.ledger import schema as ledger_schema
from csconsole.persistence.models import AuditEvent, Staff
from csconsole.persistence.models.base import UtcDateTime
from csconsole.persistence.models.cases import (
    Case,
    CaseNote,
    VerificationAttempt,
    VerificationLock,
    VerificationSession,
    VerificationUnlock,
)
from csconsole.persistence.models.outbox import ReplicaAuditEvent


@dataclass(frozen=True, slots=True)
class Replicated:
    name: str  # the outbox entity of its ledger records, and its replica state key
    local: Table
    central: Table
    mode: Literal["chain", "shared", "owned"]
    key: str = ""  # shared: the natural key column; owned: the local primary key
    columns: tuple[str, ...] = ()  # shared, owned: the replicated columns (the key among them)
    id_column: str | None = None  # shared: a local surrogate id kept equal to the central one
    replica: Table | None = None  # chain, owned: where other workstations' rows go


ORIGIN = "origin"


def _copy_columns(local: Table) -> list[Column[object]]:
    out: list[Column[object]] = []
    for column in local.columns:
        timestamp = isinstance(column.type, DateTime | UtcDateTime)
        kind = ledger_schema.Timestamp if timestamp else column.type
        out.append(Column(column.name, kind, nullable=column.nullable, autoincrement=False))
    return out


def owned(
    local: Table,
    *,
    central_metadata: MetaData | None = None,
    replica_metadata: MetaData | None = None,
) -> Replicated:
    """Declare a table of records each console owns: derives ``csconsole_<name>`` (central)
    and ``replica_<name>`` (cache), each the local columns plus ``origin`` and ``rev``, keyed
    by ``(origin, <local primary key>)``."""
    [key] = [c.name for c in local.primary_key.columns]
    central = Table(
        f"csconsole_{local.name}",
        central_metadata if central_metadata is not None else ledger_schema.ledger_metadata,
        Column(ORIGIN, String(100), nullable=False),
        *_copy_columns(local),
        Column("rev", BigInteger, nullable=False, index=True),
        PrimaryKeyConstraint(ORIGIN, key),
        **ledger_schema.MYSQL_OPTIONS,
    )
    replica = Table(
        f"replica_{local.name}",
        replica_metadata if replica_metadata is not None else local.metadata,
        Column(ORIGIN, String(100), nullable=False),
        *[Column(c.name, c.type, nullable=c.nullable, autoincrement=False) for c in local.columns],
        Column("rev", BigInteger, nullable=False),
        PrimaryKeyConstraint(ORIGIN, key),
    )
    return Replicated(
        name=local.name,
        local=local,
        central=central,
        mode="owned",
        key=key,
        columns=tuple(c.name for c in local.columns),
        replica=replica,
    )


AUDIT = Replicated(
    name="audit_event",
    local=AuditEvent.__table__,  # type: ignore[arg-type]
    central=ledger_schema.audit_event,
    mode="chain",
    replica=ReplicaAuditEvent.__table__,  # type: ignore[arg-type]
)

STAFF = Replicated(
    name="staff",
    local=Staff.__table__,  # type: ignore[arg-type]
    central=ledger_schema.staff,
    mode="shared",
    key="username",
    columns=("username", "display_name", "role", "password_hash", "active", "created_at"),
    id_column="id",
)

# The casework records: each desk's cases, notes and caller verifications, kept centrally under
# (origin, id) and read on the other desks from replica_<table> (read-only there).
CASE = owned(Case.__table__)  # type: ignore[arg-type]
assert CASE.replica is not None
# The other desks' cases of one customer (the 360 view's cases tab; cache migration 0010).
Index(None, CASE.replica.c.customer_id)
CASE_NOTE = owned(CaseNote.__table__)  # type: ignore[arg-type]
VERIFICATION_SESSION = owned(VerificationSession.__table__)  # type: ignore[arg-type]
VERIFICATION_ATTEMPT = owned(VerificationAttempt.__table__)  # type: ignore[arg-type]
VERIFICATION_LOCK = owned(VerificationLock.__table__)  # type: ignore[arg-type]
# An unlock is owned by the desk where the supervisor made it and lifts the locks of every desk
# (by time, not by writing to their lock rows, which only their origin may write).
VERIFICATION_UNLOCK = owned(VerificationUnlock.__table__)  # type: ignore[arg-type]
CASE_TABLES = (
    CASE,
    CASE_NOTE,
    VERIFICATION_SESSION,
    VERIFICATION_ATTEMPT,
    VERIFICATION_LOCK,
    VERIFICATION_UNLOCK,
)

REPLICATED: tuple[Replicated, ...] = (AUDIT, STAFF, *CASE_TABLES)
SHARED = {t.name: t for t in REPLICATED if t.mode == "shared"}
# Owned tables' changes are captured as ledger_record items when they are flushed; shared
# tables' are found at sync time by comparing fingerprints (ledger_shared.changed_keys).
OWNED_BY_LOCAL = {t.local.name: t for t in REPLICATED if t.mode == "owned"}
