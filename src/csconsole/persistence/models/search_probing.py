"""The search-probing tripwire's state on this desk (``domain/probing.py``, docs/search.md).

A trace row keeps keyed hashes of a search's identifier and stems and which customers came back,
never the text; rows older than the longest window are pruned. A stop stands until a supervisor
clears it. People are named by username (stable across the ledger's staff re-keying).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


class SearchTraceKey(Base):
    """The desk's random key of the trace hashes (one row)."""

    __tablename__ = "search_trace_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class SearchTrace(Base):
    __tablename__ = "search_trace"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    key: Mapped[str] = mapped_column(String(32))
    text_key: Mapped[str] = mapped_column(String(32))
    stems: Mapped[str] = mapped_column(Text)  # comma-separated keyed hashes
    near_miss: Mapped[bool]
    identifier_hits: Mapped[str] = mapped_column(Text)  # comma-separated customer ids
    hits: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index(None, "username", "at"),)


class SearchStop(Base):
    __tablename__ = "search_stop"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    stopped_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    searches: Mapped[int]
    customer_id: Mapped[int | None]
    lock_id: Mapped[int | None]
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index(None, "username", "cleared_at"),)
