"""What the push side of sync trades: queued items, their outcomes, and the conflicts a person
settles. Persistence stores them (``persistence/repositories/outbox.py``);
``sync/push/outbox_push.py`` applies them to the shop; ``persistence/replication/`` sends ledger
records to the central ledger.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from csconsole.services.ports import DetailValue, OutboxItem

SHOP_KINDS = ("correction", "opt_out", "erasure", "account_flag")
LEDGER_KIND = "ledger_record"
KINDS = (*SHOP_KINDS, LEDGER_KIND)


def qualified_key(origin: str, idempotency_key: str) -> str:
    """The key the shop and the ledger store: an item's key qualified by the cache it came from
    (local ids repeat across desks), hashed (fixed length, nothing readable)."""
    return hashlib.sha256(f"{origin}\n{idempotency_key}".encode()).hexdigest()


class PushOutcome(enum.StrEnum):
    """How an item ended. Only ``applied`` changed anything; the rest wait for a person."""

    APPLIED = "applied"
    CONFLICT = "conflict"  # a field no longer holds the value the rep saw
    MISSING = "missing"  # the row is gone from the shop
    FAILED = "failed"  # a permanent error (mapping, data type): retrying cannot help


class Status(enum.StrEnum):
    """An outbox row's state in the cache."""

    PENDING = "pending"
    APPLIED = "applied"
    CONFLICT = "conflict"
    FAILED = "failed"
    DISCARDED = "discarded"  # a person settled a conflict by keeping the shop's value
    REQUEUED = "requeued"  # a person settled a conflict by sending the change again


@dataclass(frozen=True, slots=True)
class PendingItem:
    outbox_id: int
    item: OutboxItem
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one item. ``shop_values`` holds what the shop had for a conflict;
    ``reason`` names columns and error kinds only, never values."""

    outbox_id: int
    outcome: PushOutcome
    shop_values: Mapping[str, DetailValue] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ConflictView:
    conflict_id: int
    outbox_id: int
    kind: str
    entity: str
    entity_key: str
    outcome: PushOutcome
    shop_values: Mapping[str, DetailValue]
    expected: Mapping[str, DetailValue]
    changes: Mapping[str, DetailValue]
    detected_at: datetime
    case_id: int | None
    settled: bool = False  # a person already kept the shop's value or sent the change again


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """What waits in the outbox: the one count of changes waiting to be sent, which the status
    bar shows ("N to send") and ``console.sync.backlog()`` returns.

    Waiting to be sent means an outbox item still pending, of any kind: ``shop_changes`` go to
    the shop (corrections, opt-outs, erasures, account flags), ``ledger_records`` to the central
    ledger. ``conflicts`` are changes the shop refused, waiting for a supervisor to settle
    them; they are not waiting to be sent until settled.
    """

    shop_changes: int = 0
    ledger_records: int = 0
    conflicts: int = 0

    @property
    def to_send(self) -> int:
        return self.shop_changes + self.ledger_records


class Resolution(enum.StrEnum):
    KEEP_SHOP = "keep_shop"  # drop the console's change
    APPLY_MINE = "apply_mine"  # send the change again, checked against the shop's value now


@dataclass
class PushReport:
    """Counts of one push run; ``error`` is set when the run stopped early (offline)."""

    applied: int = 0
    conflicts: int = 0
    failed: int = 0
    already_applied: int = 0
    remaining: int = 0
    retries: int = 0
    error: str = ""

    def add(self, other: PushReport) -> None:
        self.applied += other.applied
        self.conflicts += other.conflicts
        self.failed += other.failed
        self.already_applied += other.already_applied
        self.retries += other.retries
        self.remaining = other.remaining
        self.error = other.error or self.error


class OutboxQueue(Protocol):
    """The cache side of a push: read what is due, record what happened (each in its own
    transaction on the cache)."""

    def origin(self) -> str:
        """A stable id of this cache; it namespaces idempotency keys in the shop."""
        ...

    def pending(self, kinds: Sequence[str], limit: int) -> Sequence[PendingItem]: ...
    def record(self, results: Sequence[ItemResult], at: datetime) -> None: ...
    def record_attempt(self, outbox_ids: Sequence[int], reason: str) -> None: ...
    def counts(self, kinds: Sequence[str] = KINDS) -> Mapping[str, int]:
        """Rows per status (of the given kinds), for the status bar."""
        ...
