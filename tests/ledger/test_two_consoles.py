"""Two consoles (two homes, two encrypted caches) sharing one central ledger: each sees the
other's audit events and the same staff after its next sync."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from csconsole.domain.audit_chain import AuditEntry, verify_chain
from csconsole.domain.errors import SignInError
from csconsole.domain.staff import Role
from csconsole.persistence.ledger.schema import audit_event, staff
from csconsole.persistence.replication import shared as ledger_shared
from tests.ledger.ledger_sync import sync

BACKENDS = ["postgresql", "mariadb", "sqlite"]


def local_events(console: Any) -> list[tuple[int, str]]:
    with console.engine.connect() as conn:
        return [
            tuple(r) for r in conn.exec_driver_sql("SELECT seq, hash FROM audit_event ORDER BY seq")
        ]


def replica(console: Any, workstation: str) -> list[tuple[AuditEntry, str, str]]:
    with console.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT seq, at, actor, role, workstation, action, customer_id, case_id, details,"
            " prev_hash, hash FROM replica_audit_event WHERE workstation = ? ORDER BY seq",
            (workstation,),
        ).all()
    out = []
    for r in rows:
        at = (
            r[1]
            if not isinstance(r[1], str)
            else __import__("datetime").datetime.fromisoformat(r[1])
        )
        entry = AuditEntry(
            r[0], at.replace(tzinfo=UTC), r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8])
        )
        out.append((entry, r[9], r[10]))
    return out


def staff_ids(console: Any) -> dict[str, int]:
    with console.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT username, id FROM staff").all())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_each_console_sees_the_others_audit_events_and_staff(
    console_factory, database_url: str, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, a_staff = console_factory("a", "desk-a")
    b, b_staff = console_factory("b", "desk-b")
    a_rep = a.auth.sign_in(*a_staff["rep"])
    b.auth.sign_in(*b_staff["rep"])
    ids_before = staff_ids(a)

    first = sync(a, ledger)  # the first console publishes its demo staff
    # ... under its own ids, so a person signed in there keeps the right id (no re-keying).
    assert staff_ids(a) == ids_before
    assert staff_ids(a)["rep"] == a_rep.staff.staff_id
    assert first.pushed_events == len(local_events(a))
    assert first.pushed_records == 3
    second = sync(b, ledger)  # the second adopts them: central is the truth for staff
    assert second.superseded_records == 3 and second.pulled_rows == 3
    assert second.pulled_events == len(local_events(a))

    assert b.auth.sign_in(*a_staff["supervisor"]).staff.username == "supervisor"
    with pytest.raises(SignInError):
        b.auth.sign_in(*b_staff["supervisor"])
    with b.engine.connect() as conn:
        adopted = conn.exec_driver_sql(
            "SELECT count(*) FROM audit_event WHERE action = 'staff.adopted_from_ledger'"
        ).scalar()
    assert adopted == 3

    sync(b, ledger)  # B's sign-ins above reach the ledger
    sync(a, ledger)
    # A holds B's chain exactly as B wrote it, and it verifies on its own.
    b_chain = replica(a, "desk-b")
    assert [(e.seq, h) for e, _, h in b_chain] == local_events(b)
    assert verify_chain(b_chain).ok
    assert [(e.seq, h) for e, _, h in replica(b, "desk-a")] == local_events(a)[
        : len(replica(b, "desk-a"))
    ]
    assert replica(a, "desk-a") == []  # its own events are not copied back
    with ledger.connect() as conn:
        counts = dict(
            conn.execute(
                select(audit_event.c.workstation, func.count()).group_by(audit_event.c.workstation)
            ).all()
        )
    assert counts == {"desk-a": len(local_events(a)), "desk-b": len(local_events(b))}

    # A new account made on A reaches B, with the same id everywhere.
    admin = a.auth.sign_in(*a_staff["admin"])
    a.auth.create_staff("carol", "Carol", Role.REP, "correct-horse-battery", created_by=admin)
    sync(a, ledger)
    sync(b, ledger)
    assert b.auth.sign_in("carol", "correct-horse-battery").staff.display_name == "Carol"
    with ledger.connect() as conn:
        central = dict(conn.execute(select(staff.c.username, staff.c.id)).all())
    assert staff_ids(a) == staff_ids(b) == central
    assert set(central) == {"rep", "supervisor", "admin", "carol"}
    # Explicit ids did not leave the database's own id generator behind (PostgreSQL's
    # sequence): a row inserted without an id gets a fresh one.
    with ledger.begin() as conn:
        conn.execute(
            staff.insert().values(
                username="zed",
                display_name="Zed",
                role="rep",
                password_hash="x",
                active=True,
                created_at=__import__("datetime").datetime(2026, 1, 1),
                version=1,
                rev=0,
                updated_by="test",
            )
        )
        zed = conn.execute(select(staff.c.id).where(staff.c.username == "zed")).scalar()
    assert zed is not None and zed > max(central.values())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_concurrent_staff_change_loses_to_the_central_row(
    console_factory, database_url: str, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, a_staff = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    sync(a, ledger)
    sync(b, ledger)
    for console, name in ((a, "Rep from A"), (b, "Rep from B")):
        # B adopted A's staff, so A's admin signs on both desks.
        admin = console.auth.sign_in(*a_staff["admin"])
        console.auth.rename(admin, "rep", name)

    assert sync(a, ledger).pushed_records == 1
    report = sync(b, ledger)

    assert report.superseded_records == 1
    with b.engine.connect() as conn:
        name = conn.exec_driver_sql("SELECT display_name FROM staff WHERE username = 'rep'")
        assert name.scalar() == "Rep from A"
        settled = conn.exec_driver_sql("SELECT resolution, resolved_by FROM sync_conflict").all()
    # Three from the first sync (demo staff adopted), one now; all settled, none waiting.
    assert [tuple(r) for r in settled] == [("central_wins", "sync")] * 4
    with ledger.connect() as conn:
        assert conn.execute(select(staff.c.version).where(staff.c.username == "rep")).scalar() == 2


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
def test_ledger_records_pushed_by_a_run_that_died_are_not_applied_twice(
    console_factory, database_url: str, engines: list[Engine], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, _ = console_factory("a", "desk-a")

    def die(*_: Any) -> None:
        raise KeyboardInterrupt  # after the central commit, before the cache heard of it

    with monkeypatch.context() as patch:
        patch.setattr(ledger_shared, "settle_records", die)
        with pytest.raises(KeyboardInterrupt):
            a.sync.push(shop=None, ledger=ledger)

    report = sync(a, ledger)

    assert (report.pushed_records, report.superseded_records) == (3, 0)
    with ledger.connect() as conn:
        versions = conn.execute(select(staff.c.version)).scalars().all()
    assert versions == [1, 1, 1]
    with a.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE status = 'pending'")
        assert left.scalar() == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_second_cache_with_the_same_workstation_name_is_refused(
    console_factory, database_url: str, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, _ = console_factory("a", "desk-a")
    again, _ = console_factory("again", "desk-a")
    sync(a, ledger)

    _, report = again.sync.push(shop=None, ledger=ledger)

    assert report is not None
    assert "already holds a different audit event 1 for workstation 'desk-a'" in report.error
    with ledger.connect() as conn:
        held = conn.execute(select(func.count()).select_from(audit_event)).scalar()
    assert held == len(local_events(a))
