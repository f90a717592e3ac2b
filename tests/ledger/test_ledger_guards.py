"""The central PostgreSQL ledger itself refuses what a desk's role must not do (ledger revision
l0007, ``persistence/ledger/guards.py``): statements run directly as a desk's login role, as an
attacker holding the desk's ledger password would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, select, update
from sqlalchemy.exc import DBAPIError

from csconsole.persistence.ledger.guards import group_role_name
from csconsole.persistence.ledger.schema import audit_event, clock, desk_head, desk_role, staff
from csconsole.persistence.ledger.tables import CASE, CASE_NOTE
from tests.ledger.desk_ledger import DeskLedger, refused

AT = datetime(2026, 12, 6, 1, 0, 0, 123456, tzinfo=UTC)


def event(workstation: str, chain: str, seq: int) -> dict[str, Any]:
    return {
        "workstation": workstation,
        "seq": seq,
        "at": AT,
        "actor": "rep",
        "role": "rep",
        "action": "customer.viewed",
        "details": "{}",
        "prev_hash": "0" * 64,
        "hash": f"{seq:064x}",
        "rev": 1,
        "desk": chain,
    }


def case(origin: str, case_id: int) -> dict[str, Any]:
    return {
        "origin": origin,
        "id": case_id,
        "case_type": "inquiry",
        "customer_id": None,
        "channel": "phone",
        "status": "open",
        "summary": "Asks what we keep",
        "opened_by_id": 1,
        "owner_id": 1,
        "opened_at": AT,
        "due_on": date(2026, 12, 20),
        "updated_at": AT,
        "rev": 1,
    }


def run(engine: Engine, statement: Any, rows: Any = None) -> None:
    with engine.begin() as conn:
        conn.execute(statement, rows) if rows is not None else conn.execute(statement)


def refusal(engine: Engine, statement: Any, rows: Any = None) -> str:
    with pytest.raises(DBAPIError) as error:
        run(engine, statement, rows)
    return refused(error)


@pytest.fixture
def desks(desk_ledger: DeskLedger) -> tuple[Engine, Engine]:
    a, b = desk_ledger.desk("desk-a"), desk_ledger.desk("desk-b")
    run(a, audit_event.insert(), [event("desk-a", "chain-a", 1), event("desk-a", "chain-a", 2)])
    run(b, audit_event.insert(), [event("desk-b", "chain-b", 1)])
    return a, b


def test_a_desk_appends_its_own_events_and_its_first_push_binds_its_chain(
    desk_ledger: DeskLedger, desks: tuple[Engine, Engine]
) -> None:
    a, _ = desks
    run(a, audit_event.insert(), [event("desk-a", "chain-a", 3)])
    run(a, desk_head.insert().values(desk="chain-a", seq=3, hash="h", workstation="desk-a", rev=1))
    with desk_ledger.owner.connect() as conn:
        held = conn.execute(select(audit_event.c.desk, audit_event.c.seq)).all()
        bound = dict(conn.execute(select(desk_role.c.workstation, desk_role.c.desk)).all())
    assert sorted(tuple(r) for r in held) == [
        ("chain-a", 1),
        ("chain-a", 2),
        ("chain-a", 3),
        ("chain-b", 1),
    ]
    assert bound == {"desk-a": "chain-a", "desk-b": "chain-b"}


@pytest.mark.parametrize("whose", ["desk-a", "desk-b"])
def test_no_desk_may_update_or_delete_any_audit_event(
    desk_ledger: DeskLedger, desks: tuple[Engine, Engine], whose: str
) -> None:
    a, _ = desks
    mine = audit_event.c.workstation == whose
    assert "permission denied" in refusal(a, update(audit_event).where(mine).values(actor="x"))
    assert "permission denied" in refusal(a, delete(audit_event).where(mine))
    assert "permission denied" in refusal(a, audit_event.delete())
    with pytest.raises(DBAPIError) as error, a.begin() as conn:
        conn.exec_driver_sql("TRUNCATE csconsole_audit_event")
    refused(error)
    with desk_ledger.owner.connect() as conn:
        assert conn.execute(select(audit_event.c.actor).distinct()).scalars().all() == ["rep"]


def test_the_guards_refuse_updates_even_where_a_privilege_slipped_in(
    desk_ledger: DeskLedger, desks: tuple[Engine, Engine]
) -> None:
    """Privileges are the first wall, the triggers the second: granted UPDATE and DELETE by
    mistake, a desk still cannot change an audit event or a head."""
    a, _ = desks
    group = group_role_name(desk_ledger.owner.url.database or "")
    with desk_ledger.owner.begin() as conn:
        conn.exec_driver_sql(
            f'GRANT UPDATE, DELETE ON csconsole_audit_event, csconsole_desk_head TO "{group}"'
        )
    own = audit_event.c.workstation == "desk-a"
    assert "may not update rows of csconsole_audit_event" in refusal(
        a, update(audit_event).where(own).values(actor="x")
    )
    assert "may not delete rows of csconsole_audit_event" in refusal(
        a, delete(audit_event).where(own)
    )


def test_an_event_or_head_for_another_desk_is_refused(desks: tuple[Engine, Engine]) -> None:
    a, _ = desks
    other_workstation = refusal(a, audit_event.insert(), [event("desk-b", "chain-a", 3)])
    assert "only for its own workstation desk-a" in other_workstation
    other_chain = refusal(a, audit_event.insert(), [event("desk-a", "chain-b", 9)])
    assert "only its own audit chain" in other_chain
    head = desk_head.insert().values(desk="chain-b", seq=9, hash="h", workstation="desk-a", rev=1)
    assert "only its own audit chain" in refusal(a, head)


def test_a_new_desk_cannot_claim_a_chain_another_desk_wrote(desk_ledger: DeskLedger) -> None:
    owner = desk_ledger.owner
    run(owner, audit_event.insert(), [event("desk-old", "chain-old", 1)])  # before desk roles
    c = desk_ledger.desk("desk-c")
    assert "only its own audit chain" in refusal(
        c, audit_event.insert(), [event("desk-c", "chain-old", 2)]
    )


def test_owned_rows_only_under_the_desks_origin_and_only_its_own_changed(
    desk_ledger: DeskLedger, desks: tuple[Engine, Engine]
) -> None:
    a, b = desks
    central = CASE.central
    run(a, central.insert(), [case("desk-a", 1)])
    run(b, central.insert(), [case("desk-b", 1)])
    assert "only under its own origin desk-a" in refusal(a, central.insert(), [case("desk-b", 2)])

    ours = (central.c.origin == "desk-a") & (central.c.id == 1)
    theirs = (central.c.origin == "desk-b") & (central.c.id == 1)
    run(a, update(central).where(ours).values(status="resolved", rev=2))  # what push_owned does
    assert "another desk's rows" in refusal(a, update(central).where(theirs).values(status="x"))
    moved = update(central).where(ours).values(origin="desk-b")
    assert "column origin" in refusal(a, moved)
    backdated = update(central).where(ours).values(opened_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert "column opened_at" in refusal(a, backdated)
    assert "permission denied" in refusal(a, delete(central).where(ours))

    note = CASE_NOTE.central
    row = {"origin": "desk-a", "id": 1, "case_id": 1, "at": AT, "author_id": 1, "text": "Hi"}
    run(a, note.insert(), [{**row, "rev": 1}])
    mine = (note.c.origin == "desk-a") & (note.c.id == 1)
    run(a, update(note).where(mine).values(**row, rev=3))  # a replayed push: same content
    assert "column text" in refusal(a, update(note).where(mine).values(text="Changed"))
    with desk_ledger.owner.connect() as conn:
        held = sorted(tuple(r) for r in conn.execute(select(central.c.origin, central.c.status)))
    assert held == [("desk-a", "resolved"), ("desk-b", "open")]


def test_staff_rows_move_only_to_their_next_version_and_are_never_deleted(
    desks: tuple[Engine, Engine],
) -> None:
    a, b = desks
    row = {
        "id": 1,
        "username": "rep",
        "display_name": "Rep",
        "role": "rep",
        "password_hash": "x",
        "active": True,
        "created_at": AT,
        "rev": 1,
    }
    assert "only at version 1" in refusal(
        a, staff.insert(), [{**row, "version": 7, "updated_by": "desk-a"}]
    )
    assert "column updated_by" in refusal(
        a, staff.insert(), [{**row, "version": 1, "updated_by": "desk-b"}]
    )
    run(a, staff.insert(), [{**row, "version": 1, "updated_by": "desk-a"}])
    rep = staff.c.username == "rep"
    run(b, update(staff).where(rep).values(role="supervisor", version=2, updated_by="desk-b"))
    skipped = update(staff).where(rep).values(role="admin", version=9, updated_by="desk-a")
    assert "only to its next version" in refusal(a, skipped)
    same = update(staff).where(rep).values(role="admin", updated_by="desk-a")
    assert "only to its next version" in refusal(a, same)
    assert "permission denied" in refusal(a, delete(staff))


def test_the_clock_only_moves_up_by_one(desks: tuple[Engine, Engine]) -> None:
    a, _ = desks
    run(a, update(clock).where(clock.c.id == 1).values(rev=clock.c.rev + 1))
    assert "up by one" in refusal(a, update(clock).where(clock.c.id == 1).values(rev=0))
    assert "permission denied" in refusal(a, delete(clock))


def test_a_member_of_the_group_without_a_desk_is_refused_every_write(
    desk_ledger: DeskLedger,
) -> None:
    database = desk_ledger.owner.url.database or ""
    stray = f"csc_stray_{database}"[:63]
    with desk_ledger.owner.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{stray}" LOGIN IN ROLE "{group_role_name(database)}"')
    desk_ledger.roles.append(stray)
    engine = create_engine(desk_ledger.url_of(stray))
    desk_ledger.engines.append(engine)
    message = refusal(engine, audit_event.insert(), [event("desk-z", "chain-z", 1)])
    assert "no desk is granted to it" in message


def test_the_owner_is_not_restricted(desk_ledger: DeskLedger) -> None:
    """Migrations and the admin's own repairs run as the owner, whom the guards let through."""
    owner = desk_ledger.owner
    run(owner, audit_event.insert(), [event("anyone", "any", 1)])
    run(owner, update(audit_event).values(actor="admin"))
    run(owner, delete(audit_event))
