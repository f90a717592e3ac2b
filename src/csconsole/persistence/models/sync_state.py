"""What the pull keeps about the shop in the cache: per-table watermarks and key totals, the
row hashes of tables without a change column, rows it could not take (and why), and a log of
sync runs. None of it holds personal data: keys, codes, counts and reasons only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


class SyncTableState(Base):
    """One row per cache entity: where the last pull stopped and what the cache holds."""

    __tablename__ = "sync_table_state"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_table: Mapped[str] = mapped_column(String(128))
    mode: Mapped[str] = mapped_column(String(16))  # change | row_hash
    # The last change value read, tagged with its type (``sync.watermarks``), and its row key.
    watermark: Mapped[str | None] = mapped_column(Text)
    watermark_key: Mapped[int | None] = mapped_column(BigInteger)
    # Count and sum of the keys in the cache table: compared with the shop's to find deletes.
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    loaded_at: Mapped[datetime]
    pulled_at: Mapped[datetime | None]


class SyncRowHash(Base):
    """Digest of each shop row of a table that has no change column."""

    __tablename__ = "sync_row_hash"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = ({"sqlite_with_rowid": False},)


class SyncRecentRow(Base):
    """Digest of each row an incremental pull read inside the overlap window of a table with a
    change column: the next pull reads those rows again (to catch late commits) and skips, by
    digest, the ones it has already seen, without reading the cache."""

    __tablename__ = "sync_recent_row"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = ({"sqlite_with_rowid": False},)


class SyncRowIssue(Base):
    """A shop row the pull skipped (``outcome`` skipped: not in the cache) or changed to fit
    (repaired), with the shop column and the reason; never the value."""

    __tablename__ = "sync_row_issue"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    outcome: Mapped[str] = mapped_column(String(16))
    source_table: Mapped[str] = mapped_column(String(128))
    column_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(400))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    __table_args__ = ({"sqlite_with_rowid": False},)


class SyncRun(Base):
    """The sync log: one row per run, its outcome and counts."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    kind: Mapped[str] = mapped_column(String(16))  # full | incremental
    status: Mapped[str] = mapped_column(
        String(16)
    )  # running | ok | failed | offline | cancelled | interrupted
    source: Mapped[str] = mapped_column(String(300))  # the URL without password
    mapping: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_deleted: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "started_at"),)
