"""Comparing a desk's trail with its central copy event by event (``domain.chain_compare``),
and what the desk's own records say about a deleted tail (``assess_trail``)."""

from __future__ import annotations

from dataclasses import replace

from csconsole.domain.audit_chain import chain_hash
from csconsole.domain.audit_integrity import Acknowledgement, Checkpoint, assess_trail
from csconsole.domain.chain_compare import first_difference
from tests.domain.test_audit_integrity import T0, Row, chain


def rehashed_from(rows: list[Row], seq: int) -> list[Row]:
    """Event ``seq`` rewritten, every later one re-hashed: intact on its own."""
    out = rows[: seq - 1]
    prev = out[-1][2]
    for entry, _, _ in rows[seq - 1 :]:
        if entry.seq == seq:
            entry = replace(entry, customer_id=999)
        digest = chain_hash(prev, entry)
        out.append((entry, prev, digest))
        prev = digest
    return out


def test_equal_copies_and_events_not_pushed_yet_are_no_difference() -> None:
    rows = chain(["a"] * 8)
    assert first_difference(rows, rows) is None
    assert first_difference(rows, rows[:5]) is None  # 6..8 wait for the next sync
    assert first_difference(rows, rows[:5], central_head=5) is None


def test_a_rewritten_event_is_named_not_the_later_re_hashed_ones() -> None:
    rows = chain(["a"] * 8)
    rewritten = rehashed_from(rows, 3)
    assert assess_trail(rewritten).ok  # nothing to see on its own
    difference = first_difference(rewritten, rows)
    assert difference is not None
    assert (difference.seq, difference.side) == (3, "both")
    assert "content differs" in difference.problem


def test_a_tail_deleted_on_either_side_is_named() -> None:
    rows = chain(["a"] * 8)
    here = first_difference(rows[:5], rows)
    assert here is not None and (here.seq, here.side) == (6, "here")
    # The central copy lost 7 and 8, but the desk's head there said 8.
    there = first_difference(rows, rows[:6], central_head=8)
    assert there is not None and (there.seq, there.side) == (7, "central")


def test_an_event_missing_in_the_middle_is_named() -> None:
    rows = chain(["a"] * 8)
    gap = first_difference(rows, rows[:3] + rows[4:])
    assert gap is not None and (gap.seq, gap.side) == (4, "central")


def test_the_trail_notices_its_own_deleted_tail() -> None:
    rows = chain(["a"] * 8)
    # The sync noted event 8 as pushed; 6..8 are gone.
    report = assess_trail(rows[:5], Checkpoint(5, rows[4][2]), pushed_seq=8)
    assert not report.ok and report.bad_seq == 8
    assert "sent to the central ledger" in report.problem
    # The checkpoint went with them.
    report = assess_trail(rows[:5], None, expect_checkpoint=True)
    assert not report.ok and report.bad_seq == 6
    assert assess_trail([], None, expect_checkpoint=True).ok  # a new trail has none yet
    assert assess_trail(rows[:5]).ok  # the central copies: no checkpoint of their own


def test_an_acknowledged_deleted_tail_lets_the_trail_grow_again() -> None:
    rows = chain(["a"] * 5 + ["audit.break_acknowledged"], [{}] * 5 + [{"bad_seq": 8}])
    report = assess_trail(rows, Checkpoint(6, rows[5][2]), pushed_seq=8)
    assert not report.needs_acknowledgement
    assert report.acknowledged == (Acknowledgement(6, 8, "", "sup", T0.replace(second=6)),)
