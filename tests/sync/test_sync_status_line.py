"""The status bar's one line for each way the last sync can have ended."""

from __future__ import annotations

from datetime import datetime

import pytest

from csconsole.sync.status import SyncStatus

GOOD = datetime(2026, 3, 4, 9, 0)


@pytest.mark.parametrize(
    ("outcome", "last_ok", "line"),
    [
        ("ok", GOOD, "Synced 04 Mar 09:00"),
        (None, None, "Never synced"),
        ("offline", GOOD, "Offline — working from the local cache · last sync 04 Mar 09:00"),
        ("offline", None, "Offline — working from the local cache"),
        ("failed", GOOD, "Last sync failed · last good 04 Mar 09:00"),
        ("failed", None, "Last sync failed"),
        ("cancelled", GOOD, "Sync cancelled; the cache keeps what it had · last good 04 Mar 09:00"),
        ("cancelled", None, "Sync cancelled; the cache keeps what it had"),
    ],
)
def test_each_outcome_has_its_line(
    outcome: str | None, last_ok: datetime | None, line: str
) -> None:
    assert SyncStatus(last_ok_at=last_ok, last_outcome=outcome).summary() == line


def test_waiting_changes_and_conflicts_follow() -> None:
    status = SyncStatus(last_ok_at=GOOD, last_outcome="ok", pending_outbox=3, conflicts=1)
    assert status.summary() == "Synced 04 Mar 09:00 · 3 to send · 1 conflict"
    assert SyncStatus(connected=False).summary().startswith("Not connected")
