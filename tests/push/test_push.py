"""Pushing the outbox into a real shop database: exactly once, never over a change the rep did
not see, retried when the shop is away. PostgreSQL, MariaDB and the SQLite reference shop."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, exc, text

from csconsole.persistence.repositories.outbox import SqlOutboxQueue
from csconsole.services.outbox import PushOutcome, PushReport, Resolution, qualified_key
from csconsole.services.ports import OutboxItem
from csconsole.sync.push.outbox_push import ShopPusher
from tests.push.fixtures import make_shop

BACKENDS = ["sqlite", "postgresql", "mariadb"]


def correction(n: int, field: str, old: object, new: object, key: str = "") -> OutboxItem:
    return OutboxItem(
        kind="correction",
        entity="customer",
        entity_key=str(n),
        changes={field: new},  # type: ignore[dict-item]
        expected={field: old},  # type: ignore[dict-item]
        idempotency_key=key or f"corr:{n}:{field}:{new}",
    )


def enqueue(console: Any, *items: OutboxItem) -> list[int]:
    with console.uow() as uow:
        ids = [uow.outbox.enqueue(item) for item in items]
        uow.commit()
    return ids


def push(console: Any, shop: Engine) -> PushReport:
    report, _ = console.sync.push(shop=shop, ledger=None)
    assert report is not None
    return report


def shop_value(shop: Engine, sql: str, **params: object) -> Any:
    with shop.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def statuses(console: Any) -> dict[int, str]:
    with console.engine.connect() as conn:
        return dict(
            conn.exec_driver_sql(
                "SELECT id, status FROM outbox WHERE kind <> 'ledger_record'"
            ).all()
        )


@pytest.fixture
def shop(database_url: str, engines: list[Engine]) -> Engine:
    return make_shop(database_url, engines)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_correction_reaches_the_shop_once(console_factory, shop: Engine) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    before = shop_value(shop, "SELECT updated_at FROM customers WHERE customer_id = 5")
    [outbox_id] = enqueue(console, correction(5, "first_name", "First5", "Ann"))

    report = push(console, shop)

    assert (report.applied, report.conflicts, report.failed, report.remaining) == (1, 0, 0, 0)
    assert shop_value(shop, "SELECT first_name FROM customers WHERE customer_id = 5") == "Ann"
    assert shop_value(shop, "SELECT updated_at FROM customers WHERE customer_id = 5") > before
    origin = SqlOutboxQueue(console.engine).origin()
    with shop.connect() as conn:
        rows = conn.execute(text("SELECT idempotency_key, outcome FROM csconsole_applied")).all()
    assert [tuple(r) for r in rows] == [(qualified_key(origin, "corr:5:first_name:Ann"), "applied")]
    assert statuses(console) == {outbox_id: "applied"}
    settled = [
        json.loads(d)
        for (d,) in console.engine.connect().exec_driver_sql(
            "SELECT details FROM audit_event WHERE action = 'sync.outbox_settled'"
        )
    ]
    assert settled == [
        {
            "applied": 1,
            "conflict": 0,
            "missing": 0,
            "failed": 0,
            "first_outbox_id": outbox_id,
            "last_outbox_id": outbox_id,
        }
    ]
    assert push(console, shop).applied == 0  # nothing left to do


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_push_killed_after_the_shop_commit_is_not_applied_again(
    console_factory, shop: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    opt_out = OutboxItem(
        kind="opt_out",
        entity="subscription",
        entity_key="3",
        changes={
            "customer_id": 3,
            "channel": "email",
            "event": "unsubscribed",
            "source": "customer_request",
            "address": "person3@example.com",
            "occurred_at": "2026-11-22T10:00:00+00:00",
        },
        expected={},
        idempotency_key="optout:3",
    )
    enqueue(console, correction(6, "last_name", "Last6", "Doe"), opt_out)

    def die(self: Any, results: Any, at: Any) -> None:
        raise KeyboardInterrupt  # the process dies after the shop committed

    with monkeypatch.context() as patch:
        patch.setattr(SqlOutboxQueue, "record", die)
        with pytest.raises(KeyboardInterrupt):
            push(console, shop)
    assert set(statuses(console).values()) == {"pending"}
    # Meanwhile someone changes the row in the shop: the replay must not touch it.
    with shop.begin() as conn:
        conn.execute(text("UPDATE customers SET last_name = 'Shop' WHERE customer_id = 6"))

    report = push(console, shop)

    assert (report.applied, report.already_applied, report.conflicts) == (0, 2, 0)
    assert shop_value(shop, "SELECT last_name FROM customers WHERE customer_id = 6") == "Shop"
    opt_outs = "SELECT count(*) FROM subscription_events WHERE source = 'customer_request'"
    assert shop_value(shop, opt_outs) == 1
    assert shop_value(shop, "SELECT count(*) FROM csconsole_applied") == 2
    assert set(statuses(console).values()) == {"applied"}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_changed_field_is_a_conflict_never_an_overwrite(console_factory, shop: Engine) -> None:  # type: ignore[no-untyped-def]
    from csconsole.domain.errors import PermissionDenied
    from csconsole.services.auth import Session

    console, staff = console_factory("desk")
    enqueue(
        console,
        correction(7, "email", "person7@example.com", "new7@example.com"),
        correction(9999, "first_name", "Nobody", "Somebody"),
    )
    with shop.begin() as conn:
        conn.execute(text("UPDATE customers SET email = 'shop7@example.com' WHERE customer_id = 7"))

    report = push(console, shop)

    assert (report.applied, report.conflicts) == (0, 2)
    email = "SELECT email FROM customers WHERE customer_id = 7"
    assert shop_value(shop, email) == "shop7@example.com"
    with console.uow() as uow:
        conflicts = uow.outbox.open_conflicts()
    by_key = {c.entity_key: c for c in conflicts}
    assert by_key["7"].outcome is PushOutcome.CONFLICT
    assert by_key["7"].shop_values == {"email": "shop7@example.com"}
    assert by_key["7"].expected == {"email": "person7@example.com"}
    assert by_key["7"].changes == {"email": "new7@example.com"}
    assert by_key["9999"].outcome is PushOutcome.MISSING

    # A supervisor settles it: send the change again, checked against the shop's value now.
    from csconsole.services.conflicts import ConflictService

    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (0, 2)
    supervisor: Session = console.auth.sign_in(*staff["supervisor"])
    service: ConflictService = console.conflicts
    assert {c.conflict_id for c in service.open(supervisor)} == {c.conflict_id for c in conflicts}
    requeued = service.settle(supervisor, by_key["7"].conflict_id, Resolution.APPLY_MINE)
    assert service.settle(supervisor, by_key["9999"].conflict_id, Resolution.KEEP_SHOP) is None
    assert service.open(supervisor) == []
    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (1, 0)
    with pytest.raises(PermissionDenied):
        service.open(console.auth.sign_in(*staff["rep"]))

    assert push(console, shop).applied == 1
    assert shop_value(shop, email) == "new7@example.com"
    assert statuses(console)[requeued] == "applied"  # type: ignore[index]
    with console.engine.connect() as conn:
        customers = (
            conn.exec_driver_sql(
                "SELECT customer_id FROM audit_event WHERE action = 'sync.conflict_settled'"
                " ORDER BY seq"
            )
            .scalars()
            .all()
        )
        viewed = conn.exec_driver_sql(
            "SELECT details FROM audit_event WHERE action = 'sync.conflicts_viewed'"
        ).scalars()
        looks = [json.loads(d) for d in viewed]
    assert customers == [7, 9999]  # the audit browser's customer filter finds each settling
    assert [look["count"] for look in looks] == [2, 0]  # the supervisor's; the rep was refused


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_large_mixed_outbox_in_several_batches(console_factory, shop: Engine) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    items = []
    for n in range(1, 61):  # two corrections of the same field in a row: A -> B -> C
        items.append(correction(n, "first_name", f"First{n}", f"B{n}"))
        items.append(correction(n, "first_name", f"B{n}", f"C{n}"))
    for n in range(1, 61):  # an address correction with a date-free optimistic check
        items.append(
            OutboxItem(
                kind="correction",
                entity="address",
                entity_key=str(n),
                changes={"street": f"{n} New Road", "postcode": "20002"},
                expected={"street": "1 Main St", "postcode": "10001"},
                idempotency_key=f"addr:{n}",
            )
        )
    for n in range(1, 61):
        items.append(
            OutboxItem(
                kind="account_flag",
                entity="customer",
                entity_key=str(n),
                changes={"flagged_misuse": True},
                expected={},
                idempotency_key=f"flag:{n}",
            )
        )
    for n in range(1, 400):  # opt-outs, insert-only
        items.append(
            OutboxItem(
                kind="opt_out",
                entity="subscription",
                entity_key=str(n),
                changes={
                    "customer_id": None,
                    "channel": "email",
                    "event": "unsubscribed",
                    "source": "customer_request",
                    "address": f"guest{n}@example.com",
                    "occurred_at": "2026-11-22 10:00:00",
                },
                expected={},
                idempotency_key=f"optout:{n}",
            )
        )
    bad = [
        correction(1, "shoe_size", 40, 41, key="bad-field"),
        OutboxItem("correction", "customer", "abc", {"first_name": "X"}, {}, "bad-key"),
        OutboxItem("correction", "planet", "1", {"name": "X"}, {}, "bad-entity"),
    ]
    ids = enqueue(console, *items[:300], *bad, *items[300:])

    queue = SqlOutboxQueue(console.engine, console.uow)
    report = ShopPusher(shop, workstation="desk", clock=console.clock, batch_size=200).push(queue)

    assert (report.applied, report.failed, report.conflicts, report.remaining) == (
        len(items),
        3,
        0,
        0,
    )
    assert sorted(statuses(console)) == sorted(ids)
    with shop.connect() as conn:
        names = dict(conn.execute(text("SELECT customer_id, first_name FROM customers")).all())
        flags = conn.execute(text("SELECT count(*) FROM customers WHERE flagged_misuse = 1"))
        streets = conn.execute(text("SELECT count(*) FROM addresses WHERE postcode = '20002'"))
        assert (flags.scalar(), streets.scalar()) == (60, 60)
        events = conn.execute(
            text("SELECT count(*), count(DISTINCT address) FROM subscription_events")
        ).one()
    assert all(names[n] == f"C{n}" for n in range(1, 61))
    assert tuple(events) == (399, 399)
    assert shop_value(shop, "SELECT count(*) FROM csconsole_applied") == len(items) + 3
    with console.engine.connect() as conn:
        reasons = dict(
            conn.exec_driver_sql(
                "SELECT idempotency_key, last_error FROM outbox WHERE status = 'failed'"
            ).all()
        )
    assert reasons == {
        "bad-field": "the mapping has no field 'shoe_size' for customers",
        "bad-key": "entity_key of customers is not a number",
        "bad-entity": "the shop mapping has no table for entity 'planet'",
    }


def test_an_unreachable_shop_is_retried_with_backoff_and_nothing_is_lost(
    console_factory, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    ids = enqueue(console, correction(1, "first_name", "First1", "Ann"))
    secret = "s3cret-pw"
    shop = create_engine(
        f"postgresql+psycopg://shopuser:{secret}@127.0.0.1:9/shop",
        connect_args={"connect_timeout": 2},
    )
    engines.append(shop)
    waits: list[float] = []
    pusher = ShopPusher(shop, workstation="desk", clock=console.clock, sleep=waits.append)

    report = pusher.push(SqlOutboxQueue(console.engine, console.uow))

    assert report.error.startswith("the shop database did not accept the push: OperationalError")
    assert secret not in report.error and "127.0.0.1" not in report.error
    assert len(waits) == 3 and report.retries == 3
    assert statuses(console) == {ids[0]: "pending"}
    with console.engine.connect() as conn:
        attempts, last_error = conn.exec_driver_sql(
            "SELECT attempts, last_error FROM outbox WHERE id = ?", (ids[0],)
        ).one()
    assert attempts == 1 and "127.0.0.1" not in last_error


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_a_transient_error_mid_batch_rolls_back_and_retries(console_factory, shop: Engine) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    enqueue(console, *[correction(n, "first_name", f"First{n}", f"T{n}") for n in range(1, 11)])
    failures = [1]

    @event.listens_for(shop, "before_cursor_execute")
    def drop_connection(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO csconsole_applied") and failures:
            failures.pop()
            raise exc.OperationalError(statement, {}, ConnectionError("connection reset"))

    waits: list[float] = []
    pusher = ShopPusher(shop, workstation="desk", clock=console.clock, sleep=waits.append)
    report = pusher.push(SqlOutboxQueue(console.engine, console.uow))

    assert (report.applied, report.retries, len(waits)) == (10, 1, 1)
    with shop.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT first_name FROM customers ORDER BY 1"))]
    assert sum(name.startswith("T") for name in names) == 10  # the rolled-back try left nothing
    assert shop_value(shop, "SELECT count(*) FROM csconsole_applied") == 10


def test_outbox_rejects_unknown_kinds_and_keeps_keys_unique(console_factory) -> None:  # type: ignore[no-untyped-def]
    console, _ = console_factory("desk")
    with pytest.raises(ValueError, match="outbox kind"):
        enqueue(console, OutboxItem("teleport", "customer", "1", {}, {}, "k1"))
    enqueue(console, correction(1, "first_name", "a", "b", key="same"))
    with pytest.raises(exc.IntegrityError):
        enqueue(console, correction(2, "first_name", "a", "b", key="same"))
