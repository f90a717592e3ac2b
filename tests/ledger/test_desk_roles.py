"""Each desk syncs with the central PostgreSQL ledger through its own login role (``csconsole
ledger grant-desk``): a normal sync works end to end, and the role holds no more than it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from csconsole.cli import main
from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.desk_roles import login_role_name
from csconsole.persistence.ledger.schema import audit_event, desk_role
from csconsole.persistence.ledger.tables import CASE
from tests.ledger.desk_ledger import DeskLedger, refused
from tests.ledger.ledger_sync import sync


def test_two_desks_sync_through_their_own_roles(
    console_factory: Any, desk_ledger: DeskLedger
) -> None:
    a, a_staff = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    ledger_a, ledger_b = desk_ledger.desk("desk-a"), desk_ledger.desk("desk-b")

    first = sync(a, ledger_a)  # publishes its staff (insert), its events and its head
    assert first.pushed_records == 3 and first.pushed_events > 0
    second = sync(b, ledger_b)  # adopts them
    assert second.superseded_records == 3 and second.pulled_events == first.pushed_events

    rep = a.auth.sign_in(*a_staff["rep"])
    opened = a.cases.open_case(
        rep, "inquiry", customer_id=None, channel="phone", summary="Asks what we keep"
    )
    a.cases.add_note(rep, opened.case_id, "Called back, sent the summary")
    sync(a, ledger_a)
    a.cases.close(rep, opened.case_id, "Answered")  # an update of its own central case row
    assert sync(a, ledger_a).pushed_records >= 1
    assert sync(a, ledger_a).pushed_records == 0  # nothing left, nothing refused
    sync(b, ledger_b)

    with desk_ledger.owner.connect() as conn:
        cases = conn.execute(select(CASE.central.c.origin, CASE.central.c.status)).all()
        chains = dict(conn.execute(select(desk_role.c.workstation, desk_role.c.desk)).all())
        per_desk = dict(
            conn.execute(
                select(audit_event.c.workstation, func.count()).group_by(audit_event.c.workstation)
            ).all()
        )
    assert [tuple(c) for c in cases] == [("desk-a", "resolved")]
    assert set(chains) == {"desk-a", "desk-b"} and None not in chains.values()
    assert set(per_desk) == {"desk-a", "desk-b"}
    replica = CASE.replica
    assert replica is not None
    with b.engine.connect() as conn:
        assert conn.execute(select(replica.c.origin, replica.c.status)).all() == [
            ("desk-a", "resolved")
        ]

    # What the sync could do, the role can; what it never does, the database refuses.
    with pytest.raises(DBAPIError) as error, ledger_a.begin() as conn:
        conn.execute(delete(audit_event).where(audit_event.c.workstation == "desk-b"))
    refused(error)
    with pytest.raises(DBAPIError) as error, ledger_a.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE csconsole_sneaky (x int)")
    with pytest.raises(DBAPIError), ledger_a.begin() as conn:
        conn.exec_driver_sql("DROP TABLE csconsole_audit_event")


def test_grant_desk_prints_the_desks_url_with_a_new_password_once(
    desk_ledger: DeskLedger, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSCONSOLE_NEW_PASSWORD", raising=False)
    database = desk_ledger.owner.url.database or ""
    role = login_role_name(database, "Front Desk 1")
    desk_ledger.roles.append(role)
    assert main(["ledger", "grant-desk", "Front Desk 1", "--ledger", desk_ledger.url]) == 0
    out = capsys.readouterr().out
    assert f"Made desk role {role!r} for workstation 'Front Desk 1'" in out
    [url] = [w.strip("'") for w in out.split() if w.startswith("'postgresql")]
    given = make_url(url)
    assert given.username == role and given.database == database
    assert given.password and len(str(given.password)) >= 24
    engine = create_engine(url)
    desk_ledger.engines.append(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT session_user").scalar() == role
    with desk_ledger.owner.connect() as conn:
        verifier = conn.exec_driver_sql(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)
        ).scalar()
    assert str(verifier).startswith("SCRAM-SHA-256$")  # only the verifier reached the server

    # Again, with the admin's own password: a new password, the URL printed without it.
    monkeypatch.setenv("CSCONSOLE_NEW_PASSWORD", "a-password-chosen-by-the-admin")
    assert main(["ledger", "grant-desk", "Front Desk 1", "--ledger", desk_ledger.url]) == 0
    out = capsys.readouterr().out
    assert "Changed the password of desk role" in out
    assert "a-password-chosen-by-the-admin" not in out and ":***@" in out


def test_grant_desk_refuses_what_it_must_not_do(
    desk_ledger: DeskLedger,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSCONSOLE_NEW_PASSWORD", "a-password-chosen-by-the-admin")
    url = desk_ledger.url
    # Never make the admin's own role a desk (nor demote it).
    assert main(["ledger", "grant-desk", "desk-a", "--ledger", url, "--role", "postgres"]) == 1
    assert "role 'postgres' already exists and is not a desk role" in capsys.readouterr().err
    # One role per workstation.
    desk_ledger.desk("desk-a")
    other = f"csc_other_{desk_ledger.owner.url.database}"[:63]
    assert main(["ledger", "grant-desk", "desk-a", "--ledger", url, "--role", other]) == 1
    assert "already granted to role" in capsys.readouterr().err
    # No roles to restrict on SQLite.
    sqlite = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert main(["ledger", "migrate", "--ledger", sqlite]) == 0
    assert main(["ledger", "grant-desk", "desk-a", "--ledger", sqlite]) == 1
    err = capsys.readouterr().err
    assert "desk roles need a PostgreSQL ledger" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("CSCONSOLE_NEW_PASSWORD", "short")
    assert main(["ledger", "grant-desk", "desk-a", "--ledger", url]) == 2
    assert "CSCONSOLE_NEW_PASSWORD: a desk's password needs at least 12" in capsys.readouterr().err


def test_ledger_migrate_brings_a_new_ledger_up_and_a_desk_role_cannot(
    pg_url: str, desk_ledger: DeskLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ledger", "migrate", "--ledger", pg_url]) == 0
    assert "is now at the newest revision" in capsys.readouterr().out
    engine = create_engine(pg_url)
    try:
        assert ledger_migrate.is_current(engine)
    finally:
        engine.dispose()
    assert main(["ledger", "migrate", "--ledger", pg_url]) == 0
    assert "at the newest revision already" in capsys.readouterr().out

    # A desk's role cannot take the schema back (nor anywhere else).
    desk = desk_ledger.desk("desk-a")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="must be owner"):
        ledger_migrate.downgrade(desk, "l0005")
    assert ledger_migrate.is_current(desk_ledger.owner)


def test_before_migrate_grant_desk_says_to_migrate(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSCONSOLE_NEW_PASSWORD", "a-password-chosen-by-the-admin")
    assert main(["ledger", "grant-desk", "desk-a", "--ledger", pg_url]) == 1
    assert "run `csconsole ledger migrate` first" in capsys.readouterr().err


def test_verification_records_and_locks_sync_through_desk_roles(
    console_factory: Any, desk_ledger: DeskLedger
) -> None:
    """Sessions that end, attempts, a lock and its unlock: every write the verification records
    need passes the guards."""
    from tests.ledger.test_verification_lock_desks import CUSTOMER, Desk

    a_console, a_staff = console_factory("a", "desk-a")
    b_console, _ = console_factory("b", "desk-b")
    ledger_a, ledger_b = desk_ledger.desk("desk-a"), desk_ledger.desk("desk-b")
    sync(a_console, ledger_a)
    sync(b_console, ledger_b)
    a, b = Desk(a_console, a_staff), Desk(b_console, a_staff)

    a.wrong(2)
    sync(a_console, ledger_a)
    sync(b_console, ledger_b)
    assert b.wrong(1, b.start()).lock.locked  # A's two and B's one
    sync(b_console, ledger_b)
    sync(a_console, ledger_a)
    assert a.locked()
    a.svc.unlock(a.supervisor, CUSTOMER, "called back on the number on file")
    sync(a_console, ledger_a)
    sync(b_console, ledger_b)
    assert not a.locked() and not b.locked()
    assert b.start().lock.failures_in_window == 0
    sync(b_console, ledger_b)  # the new session and the ended ones, pushed again: accepted
    sync(a_console, ledger_a)
