"""Whether the audit trail may grow: breaks, their acknowledgement, and the verified checkpoint.

The chain itself is :mod:`csconsole.domain.audit_chain`. A break (an event changed, deleted,
inserted or moved) stops every action that would add an event, until a supervisor acknowledges
it. The acknowledgement is itself an event that names the break (``details["bad_seq"]``); a
full check walks past an acknowledged break and goes on checking from the acknowledgement, so a
later tampering is still found. Sign-in events are still written during a break: who was at the
desk matters most when something is wrong, and a supervisor must be able to sign in to look.

The audit log also keeps a checkpoint (the last event it verified, by sequence number and hash),
so checking the head before an append reads only what was added since; the checkpoint also
catches the one change a hash chain cannot show by itself, the deletion of its newest events.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from csconsole.domain.audit_chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainReport,
    chain_hash,
    link_problem,
)
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.text import strip_controls

ACK_ACTION = "audit.break_acknowledged"
BREAK_EXEMPT_ACTIONS = frozenset({"staff.sign_in", "staff.sign_in_failed", "staff.sign_in_refused"})
MAX_REASON_CHARS = 500


class AuditChainBroken(CsConsoleError):
    """The trail is broken; nothing but sign-ins may be recorded until a supervisor
    acknowledges it."""

    def __init__(self, bad_seq: int | None, problem: str) -> None:
        self.bad_seq = bad_seq
        self.problem = problem
        where = f"at event {bad_seq}" if bad_seq is not None else ""
        super().__init__(
            f"The audit trail is broken {where} ({problem}). Nothing more can be recorded until "
            "a supervisor acknowledges the break (Audit > Acknowledge break, or "
            "`csconsole audit acknowledge`)."
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The newest event the audit log verified, and a break found since (if any)."""

    seq: int
    hash: str
    broken_seq: int | None = None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A supervisor's acknowledgement (event ``seq``) of the break at event ``bad_seq``."""

    seq: int
    bad_seq: int | None
    problem: str
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    """The whole trail: ``chain`` is the first break nobody acknowledged (or ok).

    ``ok``, ``bad_seq`` and ``problem`` read like a :class:`ChainReport`'s: a trail that was ever
    broken is not ok, even once the break was acknowledged (the acknowledgement does not undo it).
    """

    chain: ChainReport
    events: int
    head: str
    acknowledged: tuple[Acknowledgement, ...] = field(default=())

    @property
    def needs_acknowledgement(self) -> bool:
        return not self.chain.ok

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.acknowledged

    @property
    def bad_seq(self) -> int | None:
        if not self.chain.ok:
            return self.chain.bad_seq
        return self.acknowledged[0].bad_seq if self.acknowledged else None

    @property
    def problem(self) -> str:
        if not self.chain.ok:
            return self.chain.problem
        if not self.acknowledged:
            return ""
        first = self.acknowledged[0]
        return f"{first.problem} (acknowledged by {first.actor} in event {first.seq})"


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def assess_trail(
    rows: Iterable[tuple[AuditEntry, str, str]],
    checkpoint: Checkpoint | None = None,
    *,
    expect_checkpoint: bool = False,
    pushed_seq: int = 0,
) -> IntegrityReport:
    """Walk the whole trail; skip past breaks a later acknowledgement names.

    After the walk, the checkpoint must still be found: an event the log verified that is now
    missing or different means the newest events were deleted or rewritten. With
    ``expect_checkpoint`` (the desk's own trail, whose every append moves the checkpoint), a
    trail with events and no checkpoint lost it: deleted, perhaps with the newest events.
    ``pushed_seq``, the newest event the desk noted as sent to the central ledger, must still
    be there too.
    """
    prev = GENESIS_HASH
    expected = 1
    count = 0
    head = GENESIS_HASH
    pending: ChainReport | None = None
    acks: list[Acknowledgement] = []
    checkpoint_hash_seen: str | None = None
    for entry, stored_prev, stored_hash in rows:
        count += 1
        head = stored_hash
        if checkpoint is not None and entry.seq == checkpoint.seq:
            checkpoint_hash_seen = stored_hash
        is_ack = entry.action == ACK_ACTION and chain_hash(stored_prev, entry) == stored_hash
        if is_ack:
            details = entry.details or {}
            bad_seq = _as_int(details.get("bad_seq"))
            if pending is not None and bad_seq == pending.bad_seq:
                problem = pending.problem
            else:
                problem = str(details.get("problem") or "")
            acks.append(Acknowledgement(entry.seq, bad_seq, problem, entry.actor, entry.at))
        if pending is not None:
            if is_ack and acks[-1].bad_seq == pending.bad_seq:
                # The supervisor accepted the trail as it stood; check on from here.
                pending = None
                prev, expected = stored_hash, entry.seq + 1
            continue
        problem = link_problem(prev, expected, entry, stored_prev, stored_hash)
        if problem:
            pending = ChainReport(False, count - 1, prev, entry.seq, problem)
            continue
        prev, expected = stored_hash, expected + 1
    if pending is not None:
        return IntegrityReport(pending, count, head, tuple(acks))
    tail = _tail_problem(expected - 1, checkpoint, expect_checkpoint, pushed_seq, acks)
    if tail is not None:
        broken = ChainReport(False, count, head, *tail)
        return IntegrityReport(broken, count, head, tuple(acks))
    if checkpoint is not None:
        if checkpoint.broken_seq is not None:
            broken = ChainReport(False, count, head, checkpoint.broken_seq, checkpoint.problem)
            return IntegrityReport(broken, count, head, tuple(acks))
        if checkpoint.seq > 0 and checkpoint_hash_seen != checkpoint.hash:
            problem = checkpoint_problem(checkpoint.seq, found=checkpoint_hash_seen is not None)
            broken = ChainReport(False, count, head, checkpoint.seq, problem)
            return IntegrityReport(broken, count, head, tuple(acks))
    return IntegrityReport(ChainReport(True, count, head), count, head, tuple(acks))


def _tail_problem(
    last: int,
    checkpoint: Checkpoint | None,
    expect_checkpoint: bool,
    pushed_seq: int,
    acks: list[Acknowledgement],
) -> tuple[int, str] | None:
    """The newest events' deletion as the desk's own records show it: (bad seq, problem)."""
    if pushed_seq > last and pushed_seq not in {a.bad_seq for a in acks}:
        return pushed_seq, (
            f"event {pushed_seq}: sent to the central ledger, missing here (this trail ends at "
            f"event {last}: newer events were deleted)"
        )
    if expect_checkpoint and checkpoint is None and last > 0:
        return last + 1, (
            f"after event {last}: the record of the last verified event is missing (deleted), "
            "so newer events may have been deleted with it"
        )
    return None


def checkpoint_problem(seq: int, *, found: bool) -> str:
    if found:
        return f"event {seq}: changed after it was verified"
    return f"event {seq}: deleted after it was verified (the newest events are missing)"


def clean_reason(text: str) -> str:
    """A supervisor's reason as recorded: one line, no control characters, bounded."""
    reason = " ".join(strip_controls(text).split())
    if not reason:
        raise ValueError("reason: say why the break is acknowledged (what was found, who knows)")
    return reason[:MAX_REASON_CHARS]
