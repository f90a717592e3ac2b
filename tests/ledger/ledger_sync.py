"""One console's push and ledger replication, as the ledger tests drive it (no shop)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from csconsole.persistence.replication.ledger_sync import LedgerReport


def sync(console: Any, ledger: Engine) -> LedgerReport:
    """Push and pull through the central ledger; the run must report no error."""
    _, report = console.sync.push(shop=None, ledger=ledger)
    assert report is not None
    assert report.error == ""
    return report
