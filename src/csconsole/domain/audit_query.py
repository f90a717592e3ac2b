"""Reading the audit trail back: a filter and the events as plain data (the audit browser)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

MAX_EVENTS = 5_000

DetailValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Every set field narrows the result; ``until`` is exclusive. Newest events first."""

    actor: str | None = None
    customer_id: int | None = None
    action: str | None = None  # exact, or a prefix ending in "." ("verification.")
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_EVENTS:
            raise ValueError(f"limit: between 1 and {MAX_EVENTS}")
        if self.since and self.until and self.until <= self.since:
            raise ValueError("period: the end must be after the start")

    def describe(self) -> dict[str, DetailValue]:
        """The filter as audit-event details (what a supervisor looked for)."""
        return {
            "actor": self.actor,
            "customer_id": self.customer_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True, slots=True)
class AuditEventView:
    seq: int
    at: datetime
    actor: str
    role: str
    workstation: str
    action: str
    customer_id: int | None
    case_id: int | None
    details: Mapping[str, DetailValue] = field(default_factory=dict)

    def details_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.details.items()) if v is not None)
