"""Sign-in, lockout and role checks through the real cache and audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.domain.errors import PermissionDenied, SignInError
from csconsole.domain.staff import Permission, Role


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def console(paths: Paths, secret_store: KeyringSecretStore, clock: FakeClock) -> Iterator[Console]:
    console = Console.open(paths, secret_store, create=True, clock=clock)
    try:
        yield console
    finally:
        console.close()


ADMIN_AND_REP = [("admin", "Admin", Role.ADMIN), ("rep", "Rep", Role.REP)]


def actions(console: Console) -> list[str]:
    with console.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_event ORDER BY seq")]


def test_bootstrap_then_sign_in_is_audited(console: Console) -> None:
    creds = console.auth.bootstrap_staff(
        [("rep", "Rep", Role.REP), ("sup", "Sup", Role.SUPERVISOR), ("admin", "A", Role.ADMIN)]
    )
    password = creds[0][1]
    session = console.auth.sign_in("rep", password)
    assert session.staff.role is Role.REP
    assert actions(console) == [*["staff.created"] * 3, "staff.sign_in"]
    with console.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM staff").scalars().all()
    assert all(h.startswith("$argon2") for h in stored)
    assert password not in " ".join(stored)
    assert console.audit_trail.verify().ok


def test_bootstrap_needs_an_admin(console: Console) -> None:
    with pytest.raises(PermissionDenied, match="must include an admin"):
        console.auth.bootstrap_staff([("rep", "Rep", Role.REP)])


def test_bootstrap_refused_once_staff_exist(console: Console) -> None:
    console.auth.bootstrap_staff(ADMIN_AND_REP)
    with pytest.raises(PermissionDenied):
        console.auth.bootstrap_staff([("evil", "Evil", Role.ADMIN)])


def test_wrong_password_then_lockout_then_expiry(console: Console, clock: FakeClock) -> None:
    password = console.auth.bootstrap_staff(ADMIN_AND_REP)[1][1]
    for _ in range(5):
        with pytest.raises(SignInError, match="wrong password"):
            console.auth.sign_in("rep", "not-it")
    with pytest.raises(SignInError, match="locked"):
        console.auth.sign_in("rep", password)  # even the right password waits
    clock.t += timedelta(minutes=16)
    assert console.auth.sign_in("rep", password).staff.username == "rep"
    assert actions(console).count("staff.sign_in_failed") == 5
    assert "staff.sign_in_refused" in actions(console)


def test_unknown_user_gets_the_same_message(console: Console) -> None:
    console.auth.bootstrap_staff(ADMIN_AND_REP)
    with pytest.raises(SignInError, match="Unknown user name or wrong password"):
        console.auth.sign_in("nobody", "x")


def test_roles_are_checked_in_the_service(console: Console) -> None:
    creds = dict(
        (u, p)
        for u, p, _ in console.auth.bootstrap_staff(
            [("admin", "Admin", Role.ADMIN), ("rep", "Rep", Role.REP)]
        )
    )
    rep = console.auth.sign_in("rep", creds["rep"])
    admin = console.auth.sign_in("admin", creds["admin"])
    with pytest.raises(PermissionDenied, match="may not manage staff"):
        console.auth.create_staff("x", "X", Role.REP, "a-long-password-1", created_by=rep)
    console.auth.create_staff("new", "New", Role.REP, "a-long-password-1", created_by=admin)
    assert console.auth.sign_in("new", "a-long-password-1").staff.role is Role.REP
    with pytest.raises(PermissionDenied):
        rep.require(Permission.REVIEW)
    with pytest.raises(ValueError, match="password: must have at least 12"):
        console.auth.create_staff("y", "Y", Role.REP, "short", created_by=admin)


# --- a session after a sync changed the person's staff row (shared staff replication) --------


def rekey_staff(console: Console, old: int, new: int) -> None:
    """What a pull does when the central ledger has the person under another id."""
    from csconsole.persistence.models.ledger import Staff
    from csconsole.persistence.replication.shared import _rekey

    with console.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        _rekey(conn, Staff.__table__, "id", old, new, console.clock.now())


def signed_out_events(console: Console) -> list[tuple[str, str, str]]:
    with console.engine.connect() as conn:
        return [
            (r[0], r[1], r[2])
            for r in conn.exec_driver_sql(
                "SELECT actor, role, details FROM audit_event"
                " WHERE action = 'staff.signed_out' ORDER BY seq"
            )
        ]


def test_a_valid_session_is_still_signed_in_and_nothing_is_audited(console: Console) -> None:
    password = console.auth.bootstrap_staff(ADMIN_AND_REP)[1][1]
    session = console.auth.sign_in("rep", password)
    before = actions(console)
    assert console.auth.still_signed_in(session)
    assert actions(console) == before


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        ("rekey", "id"),
        ("UPDATE staff SET role = 'supervisor' WHERE username = 'rep'", "role"),
        ("UPDATE staff SET active = 0 WHERE username = 'rep'", "inactive"),
        ("UPDATE staff SET username = 'rep2' WHERE username = 'rep'", "missing"),
    ],
)
def test_a_session_the_sync_changed_is_signed_out_and_audited(
    console: Console, change: str, changed: str
) -> None:
    creds = console.auth.bootstrap_staff([("admin", "Admin", Role.ADMIN), ("rep", "Rep", Role.REP)])
    password = creds[1][1]
    session = console.auth.sign_in("rep", password)
    if change == "rekey":
        rekey_staff(console, session.staff.staff_id, 100)
    else:
        with console.engine.begin() as conn:
            conn.exec_driver_sql(change)
    assert not console.auth.still_signed_in(session)
    events = signed_out_events(console)
    assert len(events) == 1
    actor, role, details = events[0]
    assert (actor, role) == ("rep", "rep")
    assert "account changed by sync" in details
    assert changed in details
    assert password not in details
    assert console.audit_trail.verify().ok


def test_signing_in_again_after_a_rekey_gives_a_valid_session(demo) -> None:  # type: ignore[no-untyped-def]
    console, staff = demo
    user, password = staff["rep"]
    session = console.auth.sign_in(user, password)
    rekey_staff(console, session.staff.staff_id, session.staff.staff_id + 1000)
    assert not console.auth.still_signed_in(session)
    again = console.auth.sign_in(user, password)
    assert again.staff.staff_id == session.staff.staff_id + 1000
    assert console.auth.still_signed_in(again)
    assert actions(console).count("staff.signed_out") == 1
    assert console.audit_trail.verify().ok


def test_a_stale_session_records_nothing_even_before_the_window_checks(demo) -> None:  # type: ignore[no-untyped-def]
    """Between a sync that re-keys the signed-in person and the window's check after it, an
    action in their name is refused whole: no case row, no audit event under the old id."""
    from csconsole.domain.errors import SessionEnded

    console, staff = demo
    session = console.auth.sign_in(*staff["rep"])

    def counts() -> tuple[int, int]:
        with console.engine.connect() as conn:
            cases = conn.exec_driver_sql("SELECT count(*) FROM case_record").scalar()
            events = conn.exec_driver_sql("SELECT count(*) FROM audit_event").scalar()
        return int(cases or 0), int(events or 0)

    console.cases.open_case(session, "access", customer_id=1, channel="phone", summary="ok")
    before = counts()
    rekey_staff(console, session.staff.staff_id, session.staff.staff_id + 1000)
    with pytest.raises(SessionEnded, match="Sign in again"):
        console.cases.open_case(
            session, "access", customer_id=1, channel="phone", summary="after the rekey"
        )
    with pytest.raises(PermissionDenied):  # SessionEnded is one: the window shows it as such
        console.customers.open_customer(session, 1, "phone")
    assert counts() == before
    again = console.auth.sign_in(*staff["rep"])
    console.cases.open_case(again, "access", customer_id=1, channel="phone", summary="ok")
    assert counts()[0] == before[0] + 1
    assert console.audit_trail.verify().ok


def test_signed_staff_changes_need_an_admin_and_spare_the_root(console: Console) -> None:
    creds = dict((u, p) for u, p, _ in console.auth.bootstrap_staff(ADMIN_AND_REP))
    admin = console.auth.sign_in("admin", creds["admin"])
    rep = console.auth.sign_in("rep", creds["rep"])
    assert admin.signing_key is not None and rep.signing_key is None  # reps sign nothing
    with pytest.raises(PermissionDenied, match="may not manage staff"):
        console.auth.set_role(rep, "rep", Role.ADMIN)
    with pytest.raises(PermissionDenied, match="root of every signature"):
        console.auth.set_role(admin, "admin", Role.REP)
    console.auth.set_active(admin, "rep", False)
    with pytest.raises(SignInError):
        console.auth.sign_in("rep", creds["rep"])
    console.auth.set_active(admin, "rep", True)
    console.auth.change_password(admin, "rep", "a-brand-new-password")
    assert console.auth.sign_in("rep", "a-brand-new-password").staff.role is Role.REP
    assert {"staff.disabled", "staff.enabled", "staff.password_reset"} <= set(actions(console))
