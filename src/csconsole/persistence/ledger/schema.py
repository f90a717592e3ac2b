"""The central privacy ledger's tables (in the database the shop runs), apart from the cache's.

Every name starts with ``csconsole_`` so the tables can share a database with the shop's own
(the demo keeps them in its SQLite shop file); Alembic's version table is
``csconsole_ledger_version`` for the same reason. Written for PostgreSQL, MariaDB/MySQL and
SQLite: timestamps keep microseconds on MariaDB (the audit chain hashes them), text is utf8mb4
with a binary collation there (so keys compare as they do elsewhere).

Every row carries ``rev``, the ledger revision of the transaction that wrote it. A writing
transaction first increments the one-row ``csconsole_ledger_clock`` and keeps that row locked
until it commits, so revisions become visible in order and a reader that has seen revision N
has seen every row of revisions below N: a pull by ``rev > watermark`` never misses a row
committed late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from csconsole.persistence.models.base import NAMING_CONVENTION, UtcDateTime

VERSION_TABLE = "csconsole_ledger_version"

# Naive UTC stored, aware UTC read, microseconds on MariaDB/MySQL; long text for event details.
Timestamp: TypeEngine[datetime] = UtcDateTime()
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# Dialect options as keywords (typed Any: Table types each of its own keywords).
MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}

ledger_metadata = MetaData(naming_convention=NAMING_CONVENTION)

clock = Table(
    "csconsole_ledger_clock",
    ledger_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("rev", BigInteger, nullable=False),
    **MYSQL_OPTIONS,
)

# Ledger records pushed from a console's outbox: the idempotency key (hashed with the cache's
# origin id) and what came of it, written in the same transaction as the record.
ledger_applied = Table(
    "csconsole_ledger_applied",
    ledger_metadata,
    Column("idempotency_key", String(64), primary_key=True),
    Column("applied_at", Timestamp, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("version", Integer, nullable=True),
    **MYSQL_OPTIONS,
)

# Shared by every console; the central row is the truth once a console has synced.
staff = Table(
    "csconsole_staff",
    ledger_metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("public_key", String(64), nullable=True),
    Column("sealed_key", Text, nullable=True),
    Column("signed_by", String(64), nullable=True),
    Column("signature", String(128), nullable=True),
    Column("version", Integer, nullable=False),
    Column("rev", BigInteger, nullable=False, index=True),
    Column("updated_by", String(100), nullable=False),
    **MYSQL_OPTIONS,
)

# Each desk's chain as written there: (workstation, seq), prev_hash and hash unchanged. ``desk``
# is the chain's stable id (the cache's desk id, kept when the workstation is renamed); rows
# pushed before it existed have none and belong to the chain named by their workstation.
audit_event = Table(
    "csconsole_audit_event",
    ledger_metadata,
    Column("workstation", String(100), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("customer_id", Integer, nullable=True),
    Column("case_id", Integer, nullable=True),
    Column("details", LongText, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("rev", BigInteger, nullable=False, index=True),
    Column("desk", String(100), nullable=True),
    Index(None, "desk", "seq", unique=True),
    **MYSQL_OPTIONS,
)

# Each desk's head as it pushed it: one row appended per push of events (never updated), so the
# newest row per desk says how far its chain reached. A chain whose tail is later deleted, here
# or on the desk, no longer reaches its head.
desk_head = Table(
    "csconsole_desk_head",
    ledger_metadata,
    Column("desk", String(100), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("workstation", String(100), nullable=False),
    Column("rev", BigInteger, nullable=False, index=True),
    **MYSQL_OPTIONS,
)

# Which desk each desk's database login role speaks for (PostgreSQL; the table exists on every
# backend so the schema is the same): a desk role may insert rows only under its own
# ``workstation`` and, once its first push binds it, its own chain id ``desk``
# (``persistence/ledger/guards.py``). Written only by the shop's admin (``csconsole ledger
# grant-desk``) and by the guards' binding of the chain id.
desk_role = Table(
    "csconsole_desk_role",
    ledger_metadata,
    Column("role_name", String(63), primary_key=True),
    Column("workstation", String(100), nullable=False, unique=True),
    Column("desk", String(100), nullable=True, unique=True),
    Column("granted_at", Timestamp, nullable=False),
    **MYSQL_OPTIONS,
)
