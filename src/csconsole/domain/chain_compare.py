"""Comparing one desk's audit chain as two places hold it (the desk's own trail and its copy in
the central ledger), event by event, and naming the first difference.

Each side is checked on its own too (``domain.audit_integrity``), but a chain rewritten from one
event on and re-hashed after it is intact on its own: only the other copy shows which event was
rewritten. So each event is compared by its stored hash and by a digest of its content: the
first event where either differs is named, with the side that lacks or changed it.

Events the desk has that the central copy does not yet have, after the central copy's last one,
are not a difference: they wait for the next sync.

Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from csconsole.domain.audit_chain import AuditEntry, canonical_form

Row = tuple[AuditEntry, str, str]  # (entry, stored prev_hash, stored hash)


@dataclass(frozen=True, slots=True)
class ChainDifference:
    """The first event where the two copies differ; ``side`` says which side lacks it or
    differs: ``"here"`` (the desk), ``"central"`` or ``"both"`` (different events)."""

    seq: int
    side: str
    problem: str


def content_digest(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_form(entry)).hexdigest()


def _next(rows: Iterator[Row]) -> Row | None:
    return next(rows, None)


def first_difference(
    here: Iterable[Row], central: Iterable[Row], *, central_head: int = 0
) -> ChainDifference | None:
    """Walk both copies in ``seq`` order (each as its rows are stored). ``central_head`` is the
    newest event the central ledger recorded as pushed (its head row): events up to it must be
    on both sides even when the central copy's own rows end earlier."""
    a, b = iter(here), iter(central)
    left, right = _next(a), _next(b)
    last_central = 0
    while left is not None or right is not None:
        if right is None:
            assert left is not None
            if left[0].seq > max(last_central, central_head):
                return None  # not pushed yet
            return ChainDifference(
                left[0].seq,
                "central",
                f"event {left[0].seq}: on this desk, missing from the central copy",
            )
        last_central = right[0].seq
        if left is None or right[0].seq < left[0].seq:
            return ChainDifference(
                right[0].seq,
                "here",
                f"event {right[0].seq}: in the central copy, missing on this desk (deleted here)",
            )
        if left[0].seq < right[0].seq:
            return ChainDifference(
                left[0].seq,
                "central",
                f"event {left[0].seq}: on this desk, missing from the central copy",
            )
        if content_digest(left[0]) != content_digest(right[0]):
            return ChainDifference(
                left[0].seq,
                "both",
                f"event {left[0].seq}: its content differs between this desk and the central copy",
            )
        if left[2] != right[2] or left[1] != right[1]:
            return ChainDifference(
                left[0].seq,
                "both",
                f"event {left[0].seq}: same content, different hash on this desk and in the "
                "central copy",
            )
        left, right = _next(a), _next(b)
    return None
