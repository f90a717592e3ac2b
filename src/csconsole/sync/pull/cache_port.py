"""What the pull needs from the local cache, as a Protocol. ``persistence.cache.store``
implements it on the encrypted cache; the pull never sees SQL of the cache.

Every method is called on the one thread that owns the cache connection (the sync thread).
Rows are tuples in ``RowConverter.layout`` order: the key, the mapped columns in the order of
``cache_model``, then the derived lookup keys.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from csconsole.services.ports import ProgressReport

CacheRow = tuple[Any, ...]

# The cache_meta key a full load sets when it starts and clears in its swap: while it is
# there, the next sync loads in full again (the last full load was killed or stopped).
FULL_LOAD_PENDING = "shop_full_load_pending"

SKIPPED = "skipped"
REPAIRED = "repaired"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A shop row skipped (not in the cache) or repaired (in the cache, changed to fit)."""

    entity: str
    row_key: int
    outcome: str
    source_table: str
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class TableState:
    entity: str
    source_table: str
    mode: str  # change | row_hash
    watermark: str | None  # ``sync.watermarks`` text
    watermark_key: int | None
    row_count: int = 0
    key_sum: int = 0
    loaded_at: datetime | None = None
    pulled_at: datetime | None = None


@dataclass(slots=True)
class ApplyBatch:
    """One transaction of an incremental pull for one entity."""

    entity: str
    upserts: list[CacheRow] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    digests: dict[int, int] = field(default_factory=dict)  # row-hash tables: key -> digest
    issues: list[RowIssue] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)  # keys read cleanly: their issues are over
    watermark: tuple[str | None, int | None] | None = None  # None: keep the stored one
    source_table: str = ""

    def __len__(self) -> int:
        return len(self.upserts) + len(self.deletes) + len(self.issues)


@dataclass(slots=True)
class ApplyResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # rows of this entity and, through its children, of others
    skipped: int = 0  # rows left out because their parent is not in the cache

    def add(self, other: ApplyResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.skipped += other.skipped


class FullLoadWriter(Protocol):
    """A full load into shadow tables; the live tables change only in ``finish``'s swap."""

    def insert(self, entity: str, rows: Sequence[CacheRow]) -> None: ...
    def insert_names(self, rows: Sequence[tuple[int, str]]) -> None: ...
    def insert_digests(self, entity: str, pairs: Sequence[tuple[int, int]]) -> None: ...
    def add_issues(self, issues: Sequence[RowIssue]) -> None: ...
    def set_recent(self, entity: str, digests: Mapping[int, int]) -> None: ...
    def commit(self) -> None: ...
    def finish(
        self, states: Sequence[TableState], meta: Mapping[str, str], progress: ProgressReport
    ) -> dict[str, int]: ...
    def abort(self) -> None: ...


class CacheStore(Protocol):
    def recover(self) -> None:
        """Clear what a killed load left behind and restore missing indexes."""
        ...

    def states(self) -> dict[str, TableState]: ...
    def meta(self) -> dict[str, str]: ...
    def begin_full_load(self) -> FullLoadWriter: ...
    def apply(self, batch: ApplyBatch) -> ApplyResult: ...
    def skipped_totals(self, entity: str) -> tuple[int, int]: ...
    def issue_keys(self, entity: str, limit: int) -> list[int]: ...
    def key_buckets(self, entity: str, width: int) -> dict[int, tuple[int, int]]: ...
    def keys_between(self, entity: str, lo: int, hi: int) -> list[int]: ...
    def recount(self, entity: str) -> None: ...
    def digests(self, entity: str) -> tuple[array[int], array[int]]: ...
    def recent(self, entity: str) -> dict[int, int]: ...
    def replace_recent(
        self, entity: str, digests: Mapping[int, int], previous: Mapping[int, int] | None = None
    ) -> None: ...
    def start_run(self, kind: str, source: str, mapping: str) -> int: ...
    def end_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        message: str | None,
        kind: str | None = None,
    ) -> None: ...
    def checkpoint(self) -> None: ...
    def close(self) -> None: ...
