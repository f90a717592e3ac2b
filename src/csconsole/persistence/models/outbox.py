"""The outbox of changes for the shop and the ledger, the conflicts a person settles, and the
bookkeeping of the ledger replica (see docs/ledger-and-outbox.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


class OutboxEntry(Base):
    """One change queued in the transaction of the action that made it; pushed exactly once.

    ``changes`` and ``expected`` are JSON objects; ``idempotency_key`` is unique per cache and
    qualified by the cache's origin id in the shop's ``csconsole_applied`` table.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    changes: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    settled_at: Mapped[datetime | None]

    __table_args__ = (Index(None, "status", "id"),)


class SyncConflict(Base):
    """An item the shop refused on its optimistic check (or a row gone): what the shop held
    when it was seen; the expected and new values are on the outbox row."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    shop_values: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class LedgerReplicaState(Base):
    """Per replicated table: the central revision pulled up to, and for append-only tables
    the local key pushed up to (a hint only; the central ledger is the truth)."""

    __tablename__ = "ledger_replica_state"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    pulled_rev: Mapped[int] = mapped_column(BigInteger, default=0)
    pushed_key: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerRowVersion(Base):
    """For tables shared by every console (staff): the central version a local row is based
    on (the optimistic check of a push) and the fingerprint of its content then (a local row
    that no longer matches it has changed here and is pushed)."""

    __tablename__ = "ledger_row_version"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int]
    row_hash: Mapped[str] = mapped_column(String(64))


class ReplicaAuditEvent(Base):
    """Other workstations' audit events as pulled from the central ledger: each chain as its
    workstation wrote it (seq, prev_hash, hash unchanged), so it can be verified here."""

    __tablename__ = "replica_audit_event"

    workstation: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None]
    case_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    rev: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index(None, "customer_id"), Index(None, "at"))
