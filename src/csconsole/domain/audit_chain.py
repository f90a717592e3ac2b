"""The audit hash chain: each event hash covers the previous hash and its canonical form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One event before it is chained. ``details`` holds no secret and no full card number."""

    seq: int
    at: datetime
    actor: str
    role: str
    workstation: str
    action: str
    customer_id: int | None = None
    case_id: int | None = None
    details: Mapping[str, str | int | float | bool | None] | None = None


def canonical_form(entry: AuditEntry) -> bytes:
    """A byte string that is the same for the same event on every machine and Python version."""
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "seq": entry.seq,
        "at": at,
        "actor": entry.actor,
        "role": entry.role,
        "workstation": entry.workstation,
        "action": entry.action,
        "customer_id": entry.customer_id,
        "case_id": entry.case_id,
        "details": dict(entry.details or {}),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical_form(entry)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of walking the chain: ``ok`` with the head hash, or the first bad event."""

    ok: bool
    events: int
    head: str
    bad_seq: int | None = None
    problem: str = ""


def verify_chain(
    rows: Iterable[tuple[AuditEntry, str, str]],
    *,
    start_hash: str = GENESIS_HASH,
    start_seq: int = 1,
) -> ChainReport:
    """Check each (entry, stored prev_hash, stored hash) in order.

    Names the first event whose content was changed, whose predecessor was deleted, or that was
    inserted or moved out of order. ``start_hash``/``start_seq`` continue from an event already
    verified (the audit log's checkpoint), so a check of the head need not read the whole trail.
    """
    prev = start_hash
    expected_seq = start_seq
    count = 0
    for entry, stored_prev, stored_hash in rows:
        problem = link_problem(prev, expected_seq, entry, stored_prev, stored_hash)
        if problem:
            return ChainReport(False, count, prev, entry.seq, problem)
        prev = stored_hash
        expected_seq += 1
        count += 1
    return ChainReport(True, count, prev)


def link_problem(
    prev: str, expected_seq: int, entry: AuditEntry, stored_prev: str, stored_hash: str
) -> str:
    """What is wrong with one stored event following ``prev`` at ``expected_seq``, or ``""``."""
    if entry.seq != expected_seq:
        kind = "missing before it (deleted)" if entry.seq > expected_seq else "out of order"
        return f"event {entry.seq}: expected event {expected_seq}, {kind}"
    if stored_prev != prev:
        return (
            f"event {entry.seq}: does not follow event {entry.seq - 1} "
            "(inserted, deleted or reordered)"
        )
    if chain_hash(prev, entry) != stored_hash:
        return f"event {entry.seq}: content changed after it was written"
    return ""
