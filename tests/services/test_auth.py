"""Sign-in, lockout and role checks through the real cache and audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.domain.errors import PermissionDenied, SignInError
from csconsole.domain.staff import Role


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


def actions(console: Console) -> list[str]:
    with console.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_event ORDER BY seq")]


def test_bootstrap_then_sign_in_is_audited(console: Console) -> None:
    creds = console.auth.bootstrap_staff(
        [("rep", "Rep", Role.REP), ("sup", "Sup", Role.SUPERVISOR)]
    )
    password = creds[0][1]
    session = console.auth.sign_in("rep", password)
    assert session.staff.role is Role.REP
    assert actions(console) == ["staff.created", "staff.created", "staff.sign_in"]
    with console.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM staff").scalars().all()
    assert all(h.startswith("$argon2") for h in stored)
    assert password not in " ".join(stored)
    assert console.verify_audit().ok


def test_bootstrap_refused_once_staff_exist(console: Console) -> None:
    console.auth.bootstrap_staff([("rep", "Rep", Role.REP)])
    with pytest.raises(PermissionDenied):
        console.auth.bootstrap_staff([("evil", "Evil", Role.ADMIN)])


def test_wrong_password_then_lockout_then_expiry(console: Console, clock: FakeClock) -> None:
    password = console.auth.bootstrap_staff([("rep", "Rep", Role.REP)])[0][1]
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
    console.auth.bootstrap_staff([("rep", "Rep", Role.REP)])
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
        rep.require("review")
    with pytest.raises(ValueError, match="password: must have at least 12"):
        console.auth.create_staff("y", "Y", Role.REP, "short", created_by=admin)
