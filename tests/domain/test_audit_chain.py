from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csconsole.domain.audit_chain import GENESIS_HASH, AuditEntry, chain_hash, verify_chain

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build(n: int) -> list[tuple[AuditEntry, str, str]]:
    rows = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        entry = AuditEntry(
            i,
            T0 + timedelta(seconds=i),
            "rep",
            "rep",
            "ws1",
            f"act{i}",
            customer_id=i,
            details={"n": i},
        )
        digest = chain_hash(prev, entry)
        rows.append((entry, prev, digest))
        prev = digest
    return rows


def test_intact_chain_reports_head() -> None:
    rows = build(5)
    report = verify_chain(rows)
    assert report.ok and report.events == 5 and report.head == rows[-1][2]


@given(st.integers(min_value=2, max_value=12), st.data())
def test_any_single_change_is_found_at_the_exact_event(n: int, data: st.DataObject) -> None:
    rows = build(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 2))
    how = data.draw(st.sampled_from(["edit", "delete", "swap", "insert"]))
    if how == "edit":
        entry, prev, digest = rows[i]
        rows[i] = (replace(entry, action="forged"), prev, digest)
        culprit = rows[i][0].seq
    elif how == "delete":
        del rows[i]
        culprit = rows[i][0].seq  # the event that lost its predecessor
    elif how == "swap":
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
        culprit = rows[i][0].seq  # the first event out of place
    else:
        # A forger inserts a well-formed event and renumbers the ones after it.
        entry, prev, _ = rows[i]
        forged = replace(entry, action="inserted")
        later = [(replace(e, seq=e.seq + 1), p, d) for e, p, d in rows[i:]]
        rows = [*rows[:i], (forged, prev, chain_hash(prev, forged)), *later]
        culprit = rows[i + 1][0].seq  # the first original event no longer matches
    report = verify_chain(rows)
    assert not report.ok
    assert report.bad_seq == culprit
    assert str(culprit) in report.problem
