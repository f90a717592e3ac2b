"""The whole-trail check: breaks, acknowledgements that name them, and the checkpoint."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csconsole.domain.audit_chain import GENESIS_HASH, AuditEntry, chain_hash, verify_chain
from csconsole.domain.audit_integrity import ACK_ACTION, Checkpoint, assess_trail

T0 = datetime(2026, 1, 1, tzinfo=UTC)
Row = tuple[AuditEntry, str, str]


def chain(actions: list[str], details: list[dict] | None = None) -> list[Row]:  # type: ignore[type-arg]
    rows: list[Row] = []
    prev = GENESIS_HASH
    for i, action in enumerate(actions, start=1):
        entry = AuditEntry(
            i,
            T0 + timedelta(seconds=i),
            "sup",
            "supervisor",
            "ws",
            action,
            details=(details or [{}] * len(actions))[i - 1],
        )
        digest = chain_hash(prev, entry)
        rows.append((entry, prev, digest))
        prev = digest
    return rows


def append(rows: list[Row], action: str, details: dict | None = None) -> list[Row]:  # type: ignore[type-arg]
    prev = rows[-1][2] if rows else GENESIS_HASH
    seq = rows[-1][0].seq + 1 if rows else 1
    entry = AuditEntry(
        seq, T0 + timedelta(seconds=seq), "sup", "supervisor", "ws", action, details=details or {}
    )
    return [*rows, (entry, prev, chain_hash(prev, entry))]


def edit(rows: list[Row], seq: int) -> list[Row]:
    out = list(rows)
    entry, prev, digest = out[seq - 1]
    out[seq - 1] = (replace(entry, action="forged"), prev, digest)
    return out


def test_an_intact_trail_is_ok_and_matches_verify_chain() -> None:
    rows = chain(["a", "b", "c"])
    report = assess_trail(rows)
    assert report.ok and not report.needs_acknowledgement
    assert report.head == verify_chain(rows).head and report.events == 3


def test_a_break_needs_acknowledgement_and_an_acknowledgement_lets_the_check_go_on() -> None:
    rows = edit(chain(["a", "b", "c", "d"]), 2)
    broken = assess_trail(rows)
    assert broken.needs_acknowledgement and broken.bad_seq == 2
    acked = append(rows, ACK_ACTION, {"bad_seq": 2, "problem": broken.problem})
    acked = append(acked, "e")
    report = assess_trail(acked)
    assert not report.needs_acknowledgement
    assert not report.ok  # the break stays on the record
    assert report.bad_seq == 2 and "acknowledged by sup in event 5" in report.problem
    assert [a.bad_seq for a in report.acknowledged] == [2]


def test_an_acknowledgement_of_another_event_does_not_cover_a_break() -> None:
    rows = edit(chain(["a", "b", "c"]), 2)
    acked = append(rows, ACK_ACTION, {"bad_seq": 3})
    assert assess_trail(acked).bad_seq == 2


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=4))
def test_a_tampering_after_an_acknowledged_break_is_still_found(first: int, later: int) -> None:
    rows = edit(chain([f"a{i}" for i in range(1, 8)]), first)
    rows = append(rows, ACK_ACTION, {"bad_seq": first})
    ack_seq = rows[-1][0].seq
    for i in range(5):
        rows = append(rows, f"b{i}")
    target = ack_seq + later
    report = assess_trail(edit(rows, target))
    assert report.needs_acknowledgement
    assert report.chain.bad_seq == target


def test_the_checkpoint_catches_deleted_newest_events() -> None:
    rows = chain(["a", "b", "c", "d"])
    checkpoint = Checkpoint(4, rows[3][2])
    assert assess_trail(rows, checkpoint).ok
    truncated = rows[:3]
    assert verify_chain(truncated).ok  # a hash chain alone cannot see this
    report = assess_trail(truncated, checkpoint)
    assert report.bad_seq == 4 and "deleted after it was verified" in report.problem
    rewritten = append(truncated, "z")
    assert "changed after it was verified" in assess_trail(rewritten, checkpoint).problem
    flagged = Checkpoint(4, rows[3][2], broken_seq=2, problem="event 2: content changed")
    assert assess_trail(rows, flagged).bad_seq == 2
