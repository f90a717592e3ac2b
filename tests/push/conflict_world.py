"""Real push conflicts for the tests of the screens that settle them (``conflicts`` command,
``ui/conflicts_dialog.py``): corrections the shop refuses, pushed into a real shop database."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, text

from csconsole.services.outbox import PushReport
from csconsole.services.ports import OutboxItem

SAW = "person7@example.com"  # what the rep saw (the fill_shop value)
SHOP = "shop7@example.com"  # what the shop holds by the time of the push
WANTED = "new7@example.com"  # what the rep wanted
PERSONAL = (SAW, SHOP, WANTED, "Nobody", "Somebody")


def push(console: Any, shop: Engine) -> PushReport:
    report, _ = console.sync.push(shop=shop, ledger=None)
    assert report is not None
    return report


def make_conflicts(console: Any, shop: Engine) -> dict[str, int]:
    """Two open conflicts: customer 7's email changed in the shop after the rep saw it (a
    conflict) and customer 9999 is not in the shop (missing). Returns {entity key: conflict id}.
    """
    with console.uow() as uow:
        uow.outbox.enqueue(
            OutboxItem(
                kind="correction",
                entity="customer",
                entity_key="7",
                changes={"email": WANTED},
                expected={"email": SAW},
                idempotency_key="corr:7:email",
                case_id=None,
            )
        )
        uow.outbox.enqueue(
            OutboxItem(
                kind="correction",
                entity="customer",
                entity_key="9999",
                changes={"first_name": "Somebody"},
                expected={"first_name": "Nobody"},
                idempotency_key="corr:9999:first_name",
            )
        )
        uow.commit()
    with shop.begin() as conn:
        conn.execute(text("UPDATE customers SET email = :e WHERE customer_id = 7"), {"e": SHOP})
    report = push(console, shop)
    assert (report.applied, report.conflicts) == (0, 2)
    with console.uow() as uow:
        return {c.entity_key: c.conflict_id for c in uow.outbox.open_conflicts()}


def shop_email(shop: Engine) -> str:
    with shop.connect() as conn:
        return str(conn.execute(text("SELECT email FROM customers WHERE customer_id = 7")).scalar())


def audit_events(console: Any, action: str) -> list[tuple[str, dict[str, Any]]]:
    """(actor, details) of the cache's audit events with this action, oldest first."""
    with console.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, details FROM audit_event WHERE action = ? ORDER BY seq", (action,)
        ).all()
    return [(actor, json.loads(details)) for actor, details in rows]
