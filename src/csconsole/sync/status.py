"""What the status bar says about sync: the last sync, what waits to be pushed, conflicts,
rows the pull could not take, and whether the shop could be reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# A last run that did not finish, as the status bar says it (followed by the last good sync).
_UNFINISHED = {
    "failed": "Last sync failed",
    "cancelled": "Sync cancelled; the cache keeps what it had",
    "interrupted": "Last sync was interrupted (the program stopped)",
}


@dataclass(frozen=True, slots=True)
class SyncStatus:
    connected: bool = True  # a shop database is configured
    last_ok_at: datetime | None = None  # UTC, naive (as the cache stores it)
    last_attempt_at: datetime | None = None
    last_outcome: str | None = None  # ok | offline | failed | cancelled | interrupted | running
    last_message: str | None = None
    # From ``services.outbox.OutboxBacklog``: ``to_send`` (pending items of any kind) and the
    # conflicts waiting to be settled.
    pending_outbox: int = 0
    conflicts: int = 0
    row_issues: int = 0

    @property
    def offline(self) -> bool:
        return self.last_outcome == "offline"

    def summary(self, local: datetime | None = None) -> str:
        """One line for the status bar. ``local``: the last sync's time in local time."""
        if not self.connected:
            return "Not connected to a shop database (csconsole connect)"
        parts: list[str] = []
        when = (local or self.last_ok_at).strftime("%d %b %H:%M") if self.last_ok_at else None
        if self.offline:
            parts.append("Offline — working from the local cache")
            if when:
                parts.append(f"last sync {when}")
        elif self.last_outcome in _UNFINISHED:
            parts.append(_UNFINISHED[self.last_outcome])
            if when:
                parts.append(f"last good {when}")
        elif when:
            parts.append(f"Synced {when}")
        else:
            parts.append("Never synced")
        if self.pending_outbox:
            parts.append(f"{self.pending_outbox} to send")
        if self.conflicts:
            parts.append(f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}")
        return " · ".join(parts)
