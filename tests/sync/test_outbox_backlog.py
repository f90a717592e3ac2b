"""One count of what waits to be sent: the status bar's "N to send" and
``console.sync.backlog()`` are the same figure, shop changes and ledger records alike."""

from __future__ import annotations

from typing import Any

from csconsole.services.outbox import OutboxBacklog
from csconsole.services.ports import OutboxItem


def _pending(console: Any, where: str) -> int:
    with console.engine.connect() as conn:
        sql = f"SELECT count(*) FROM outbox WHERE status = 'pending' AND {where}"  # noqa: S608
        return int(conn.exec_driver_sql(sql).scalar())


def test_the_status_bar_counts_what_the_backlog_counts(demo: Any) -> None:
    console, staff = demo
    rep = console.auth.sign_in(*staff["rep"])
    console.cases.open_case(rep, "access", customer_id=7, channel="phone", summary="a call")
    ledger_before = _pending(console, "kind = 'ledger_record'")
    assert ledger_before > 0  # the case travels to the central ledger
    with console.uow() as uow:
        uow.outbox.enqueue(
            OutboxItem(
                kind="correction",
                entity="customer",
                entity_key="7",
                changes={"email": "new7@example.com"},
                expected={"email": "old7@example.com"},
                idempotency_key="backlog-test",
            )
        )
        uow.commit()

    backlog = console.sync.backlog()
    assert backlog == OutboxBacklog(shop_changes=1, ledger_records=ledger_before, conflicts=0)
    assert backlog.to_send == ledger_before + 1
    status = console.sync.status()
    assert (status.pending_outbox, status.conflicts) == (backlog.to_send, backlog.conflicts)

    with console.engine.begin() as conn:  # as a push settles them
        conn.exec_driver_sql("UPDATE outbox SET status = 'applied' WHERE kind = 'ledger_record'")
    assert console.sync.backlog() == OutboxBacklog(shop_changes=1)
    assert console.sync.status().pending_outbox == 1
