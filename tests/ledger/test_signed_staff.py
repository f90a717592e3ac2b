"""Signed staff rows across desks (issue 10, item 2): a staff row changed outside the console,
in a desk's cache or directly in the central database, is refused by the central ledger and by
the other desk; an admin's signed change is accepted everywhere; a rep's signature is not
enough; an unsigned row cannot sign in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text

from csconsole.domain.errors import SignInError
from csconsole.domain.signing import SignedStaffRow, public_key_text
from csconsole.domain.staff import Role
from csconsole.persistence.ledger.schema import staff
from csconsole.persistence.replication.ledger_sync import LedgerReport
from csconsole.services.signing import new_key, signed_row, unseal
from tests.ledger.ledger_sync import sync

BACKENDS = ["postgresql", "sqlite"]


def push(console: Any, ledger: Engine) -> LedgerReport:
    _, report = console.sync.push(shop=None, ledger=ledger)
    assert report is not None
    return report


def role_in(console: Any, username: str) -> str:
    with console.engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT role FROM staff WHERE username = :u"), {"u": username}
            ).scalar_one()
        )


def central_role(ledger: Engine, username: str) -> str:
    with ledger.connect() as conn:
        return str(
            conn.execute(select(staff.c.role).where(staff.c.username == username)).scalar_one()
        )


def refused_events(console: Any) -> list[str]:
    with console.engine.connect() as conn:
        return [
            str(r[0])
            for r in conn.execute(
                text("SELECT details FROM audit_event WHERE action = 'staff.row_refused'")
            )
        ]


@pytest.fixture
def desks(console_factory, database_url: str, engines: list[Engine]) -> Any:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, creds = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    sync(a, ledger)
    sync(b, ledger)  # B adopts A's staff (and its root)
    return a, b, creds, ledger


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_forged_row_in_a_cache_is_refused_by_the_central_ledger(desks: Any) -> None:
    a, b, creds, ledger = desks
    with a.engine.begin() as conn:
        conn.execute(text("UPDATE staff SET role = 'admin' WHERE username = 'rep'"))

    report = push(a, ledger)

    assert report.error.startswith("refused 1 row(s): staff 'rep': ")
    assert "signature does not verify" in report.error
    assert central_role(ledger, "rep") == "rep"
    assert any("rep" in d for d in refused_events(a))
    sync(b, ledger)
    assert role_in(b, "rep") == "rep"
    with pytest.raises(SignInError, match="no valid signature"):
        a.auth.sign_in(*creds["rep"])  # nor does the forged row sign in on its own desk
    assert b.auth.sign_in(*creds["rep"]).staff.role is Role.REP


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_forged_row_in_the_central_database_is_refused_by_the_other_desk(desks: Any) -> None:
    _a, b, creds, ledger = desks
    with ledger.begin() as conn:
        conn.execute(
            text(
                "UPDATE csconsole_staff SET role = 'admin', version = version + 1,"
                " rev = rev + 1000000 WHERE username = 'rep'"
            )
        )

    report = push(b, ledger)

    assert report.error == ("refused 1 row(s): staff 'rep': staff row signature does not verify")
    assert role_in(b, "rep") == "rep"
    assert refused_events(b)
    # B keeps the row it had, which still verifies: the rep signs in as a rep only.
    assert b.auth.sign_in(*creds["rep"]).staff.role is Role.REP


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_new_self_signed_admin_in_the_central_database_is_refused(desks: Any) -> None:
    _a, b, _creds, ledger = desks
    mine = new_key()  # the attacker's own key: a valid signature, but not from a trusted admin
    forged = signed_row(
        SignedStaffRow("mallory", "M", "admin", "x", True, public_key_text(mine), None, None, None),
        "mallory",
        mine,
    )
    with ledger.begin() as conn:
        conn.execute(
            staff.insert().values(
                username="mallory",
                display_name="M",
                role="admin",
                password_hash="x",
                active=True,
                created_at=datetime(2000, 1, 1),  # older than the real root, to no avail
                public_key=forged.public_key,
                signed_by="mallory",
                signature=forged.signature,
                version=1,
                rev=10**9,
                updated_by="x",
            )
        )

    report = push(b, ledger)

    assert report.error == "refused 1 row(s): staff 'mallory': staff row signature does not verify"
    with b.engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM staff WHERE username = 'mallory'"))
        assert found.scalar() == 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_admins_signed_change_is_accepted_and_replicated(desks: Any) -> None:
    a, b, creds, ledger = desks
    admin = a.auth.sign_in(*creds["admin"])
    a.auth.set_role(admin, "rep", Role.SUPERVISOR)
    a.auth.add_staff(admin, "carol", "Carol", Role.REP, "correct-horse-battery")

    sync(a, ledger)
    sync(b, ledger)

    assert central_role(ledger, "rep") == role_in(b, "rep") == "supervisor"
    assert b.auth.sign_in(*creds["rep"]).staff.role is Role.SUPERVISOR
    assert b.auth.sign_in("carol", "correct-horse-battery").staff.role is Role.REP
    # The admin's password change re-seals the same key: they still sign afterwards.
    a.auth.change_password(admin, "admin", "a-new-long-password", old_password=creds["admin"][1])
    again = a.auth.sign_in("admin", "a-new-long-password")
    a.auth.rename(again, "carol", "Carol C.")
    sync(a, ledger)
    sync(b, ledger)
    assert b.auth.sign_in("admin", "a-new-long-password").staff.display_name == "Demo Admin"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_staff_change_signed_by_a_rep_is_refused(desks: Any) -> None:
    a, _b, creds, ledger = desks
    with a.uow() as uow:
        rep_row = uow.staff.by_username("rep")
        supervisor_row = uow.staff.by_username("supervisor")
    assert rep_row is not None and rep_row.sealed_key and supervisor_row is not None
    rep_key = unseal(rep_row.sealed_key, creds["rep"][1])  # the rep's own, real key
    forged = signed_row(replace(supervisor_row.signed(), role="admin"), "rep", rep_key)
    with a.uow() as uow:
        uow.staff.save_signed(forged)
        uow.commit()

    report = push(a, ledger)

    assert report.error == (
        "refused 1 row(s): staff 'supervisor': staff row signed by a rep, not an admin"
    )
    assert central_role(ledger, "supervisor") == "supervisor"
    with pytest.raises(SignInError, match="no valid signature"):
        a.auth.sign_in(*creds["supervisor"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_row_without_a_signature_cannot_sign_in(desks: Any) -> None:
    a, _b, creds, _ledger = desks
    with a.engine.begin() as conn:
        conn.execute(text("UPDATE staff SET signature = NULL WHERE username = 'rep'"))
    with pytest.raises(SignInError, match="made before signed staff rows"):
        a.auth.sign_in(*creds["rep"])
    with a.engine.connect() as conn:
        reason = conn.execute(
            text("SELECT details FROM audit_event WHERE action = 'staff.sign_in_refused'")
        ).scalar_one()
    assert "no signature" in reason


def test_csconsole_sync_exits_1_naming_the_refused_row(
    demo: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo desk syncs with its own shop file, which keeps the central ledger's tables: a
    supervisor row promoted in the cache is refused there, and the command says so."""
    from csconsole.cli import main

    console, creds = demo
    monkeypatch.setenv("CSCONSOLE_USER", creds["rep"][0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", creds["rep"][1])
    with console.engine.begin() as conn:
        conn.execute(text("UPDATE staff SET role = 'admin' WHERE username = 'supervisor'"))

    assert main(["sync", "--quiet"]) == 1

    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert "refused 1 row(s): staff 'supervisor': staff row signature does not verify" in line
    assert any("supervisor" in d for d in refused_events(console))
