"""A sync that changes the signed-in person's staff row signs them out: the window closes with the
reason, the forced sign-out is audited, and the launcher asks for a sign-in again.

Real demo cache, real auth and audit, real widgets. The staff row is changed the way a pull
changes it (``persistence.replication.shared._rekey``, or plain SQL for a role or the
active flag); one test goes all the way through a real sync of a change made in the central ledger.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, update

from csconsole.app.sync_wiring import open_ledger
from csconsole.persistence.ledger import schema as ledger_schema
from csconsole.persistence.models.ledger import Staff
from csconsole.persistence.replication.shared import _rekey
from csconsole.persistence.replication.signed_rows import signed_part
from csconsole.persistence.replication.state import next_rev
from csconsole.services.auth import Session
from csconsole.services.signing import signed_row, unseal
from csconsole.ui.main import Launcher
from csconsole.ui.main_window import SIGNED_OUT_BY_SYNC, MainWindow
from csconsole.ui.sign_in_dialog import SignInDialog
from csconsole.ui.sync_status import SyncOutcome
from tests.ui.test_ui_demo import sign_in


def rekey(console, old: int, new: int) -> None:  # type: ignore[no-untyped-def]
    """Move a staff id as a pull does when the central ledger knows the person by another."""
    with console.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        _rekey(conn, Staff.__table__, "id", old, new, console.clock.now())


def change_staff(console, sql: str) -> None:  # type: ignore[no-untyped-def]
    with console.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def signed_out_events(console) -> list[tuple[str, str, dict[str, object]]]:  # type: ignore[no-untyped-def]
    with console.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, role, details FROM audit_event"
            " WHERE action = 'staff.signed_out' ORDER BY seq"
        ).all()
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


@pytest.fixture
def quiet_demo(demo):  # type: ignore[no-untyped-def]
    """The demo console without its shop connection, so no sync starts by itself: the tests
    say when a sync finished."""
    console, staff = demo
    console.settings = console.settings.with_changes(shop_url="")
    return console, staff


def open_window(qtbot, runner, console, user: str, password: str) -> MainWindow:  # type: ignore[no-untyped-def]
    dialog = sign_in(qtbot, runner, console, user, password)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signed:
        pass
    window = MainWindow(console, signed.args[0], runner, idle_timeout_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def wait_checked(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: window._checking_session is not None and window._checking_session.is_done,
        timeout=10_000,
    )


# --- the window ------------------------------------------------------------------------------


def test_a_valid_session_keeps_the_window_open_after_a_sync(qtbot, runner, quiet_demo):
    console, staff = quiet_demo
    window = open_window(qtbot, runner, console, *staff["rep"])
    assert window.sync_controller is not None
    window.sync_controller.finished.emit(SyncOutcome("ok"))
    wait_checked(qtbot, window)
    assert window.isVisible()
    assert window.sign_out_reason is None
    assert signed_out_events(console) == []


def test_only_a_good_sync_makes_the_check(qtbot, runner, quiet_demo):
    console, staff = quiet_demo
    window = open_window(qtbot, runner, console, *staff["rep"])
    assert window.sync_controller is not None
    rekey(console, window.session.staff.staff_id, window.session.staff.staff_id + 500)
    for kind in ("offline", "cancelled"):
        window.sync_controller.finished.emit(SyncOutcome(kind, message=kind))
    assert window._checking_session is None
    assert window.isVisible()


def test_a_rekeyed_rep_is_signed_out_after_a_sync(qtbot, runner, quiet_demo):
    console, staff = quiet_demo
    user, password = staff["rep"]
    window = open_window(qtbot, runner, console, user, password)
    old_id = window.session.staff.staff_id
    rekey(console, old_id, old_id + 500)
    assert window.sync_controller is not None
    with qtbot.waitSignal(window.closed, timeout=10_000):
        window.sync_controller.finished.emit(SyncOutcome("ok"))
    assert window.sign_out_reason == SIGNED_OUT_BY_SYNC
    assert not window.isVisible()
    events = signed_out_events(console)
    assert len(events) == 1
    actor, role, details = events[0]
    assert (actor, role) == (user, "rep")
    assert details["reason"] == "account changed by sync"
    assert details["changed"] == "id"
    assert password not in json.dumps(details)
    assert console.audit_trail.verify().ok


@pytest.mark.parametrize(
    ("sql", "changed"),
    [
        ("UPDATE staff SET role = 'supervisor' WHERE username = '{user}'", "role"),
        ("UPDATE staff SET active = 0 WHERE username = '{user}'", "inactive"),
    ],
)
def test_a_role_change_or_deactivation_signs_out_even_when_locked(
    qtbot, runner, quiet_demo, sql, changed
):
    console, staff = quiet_demo
    user, password = staff["rep"]
    window = open_window(qtbot, runner, console, user, password)
    window.lock()
    change_staff(console, sql.format(user=user))
    with qtbot.waitSignal(window.closed, timeout=10_000):
        assert window.check_session()
    assert window.sign_out_reason == SIGNED_OUT_BY_SYNC
    assert [e[2]["changed"] for e in signed_out_events(console)] == [changed]


def test_a_real_sync_of_a_central_role_change_signs_the_rep_out(qtbot, runner, demo, paths):
    """Another desk's admin makes the rep a supervisor in the central ledger; the next sync of
    this desk pulls it and the rep's window closes."""
    console, staff = demo
    user, password = staff["rep"]
    window = open_window(qtbot, runner, console, user, password)
    controller = window.sync_controller
    assert controller is not None
    # The demo is connected to its own shop file (and ledger): the first sync publishes staff.
    with qtbot.waitSignal(controller.finished, timeout=60_000) as first:
        pass
    assert first.args[0].kind == "ok", first.args[0].message
    wait_checked(qtbot, window)
    assert window.isVisible() and window.sign_out_reason is None

    central = ledger_schema.staff
    ledger = open_ledger(console.settings.ledger_url, console.secrets)
    try:
        with ledger.begin() as lc:
            held = dict(
                lc.execute(select(central).where(central.c.username == user)).mappings().one()
            )
            admin = dict(
                lc.execute(select(central).where(central.c.username == staff["admin"][0]))
                .mappings()
                .one()
            )
            # Signed by the admin, as another desk's admin would (a forged row is refused).
            key = unseal(admin["sealed_key"], staff["admin"][1])
            row = signed_row(replace(signed_part(held), role="supervisor"), admin["username"], key)
            lc.execute(
                update(central)
                .where(central.c.username == user)
                .values(
                    role="supervisor",
                    signed_by=row.signed_by,
                    signature=row.signature,
                    version=held["version"] + 1,
                    rev=next_rev(lc),
                    updated_by="other-desk",
                )
            )
    finally:
        ledger.dispose()
    with qtbot.waitSignal(window.closed, timeout=60_000):
        assert window.start_sync()
    assert window.sign_out_reason == SIGNED_OUT_BY_SYNC
    assert [e[2]["changed"] for e in signed_out_events(console)] == ["role"]
    assert console.auth.sign_in(user, password).staff.role.value == "supervisor"


# --- the launcher ----------------------------------------------------------------------------


@pytest.fixture
def launcher(qtbot, runner, quiet_demo):  # type: ignore[no-untyped-def]
    console, staff = quiet_demo
    user, password = staff["rep"]
    launcher = Launcher(lambda: console, runner, username=user)
    exits: list[int] = []
    launcher.exit_requested.connect(exits.append)
    launcher.start()  # the launcher's widgets are its own (it deletes them): not qtbot's
    dialog = launcher.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: launcher.console_ready, timeout=10_000)
    qtbot.keyClicks(dialog.password_field, password)
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=10_000)
    window = launcher.window
    assert isinstance(window, MainWindow)
    yield launcher, exits, console, staff
    if launcher.window is not None:
        launcher.window.close()
    launcher.dispose()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def sign_out_by_sync(qtbot, launcher: Launcher, console) -> tuple[Session, SignInDialog]:  # type: ignore[no-untyped-def]
    window = launcher.window
    assert isinstance(window, MainWindow)
    session, old_dialog = window.session, launcher.dialog
    rekey(console, session.staff.staff_id, session.staff.staff_id + 500)
    with qtbot.waitSignal(window.closed, timeout=10_000):
        assert window.check_session()
    assert window.sign_out_reason == SIGNED_OUT_BY_SYNC
    dialog = launcher.dialog
    assert dialog is not None and dialog is not old_dialog
    assert dialog.isVisible()
    return session, dialog


def test_the_launcher_asks_for_a_sign_in_again_and_opens_a_new_window(qtbot, launcher):
    launcher, exits, console, staff = launcher
    user, password = staff["rep"]
    old_session, dialog = sign_out_by_sync(qtbot, launcher, console)
    assert exits == []  # not quitting
    assert launcher.window is None
    assert dialog.user_field.text() == user
    assert dialog.status_label.isVisible()
    assert dialog.status_label.text() == SIGNED_OUT_BY_SYNC

    qtbot.keyClicks(dialog.password_field, password)
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=10_000)
    window = launcher.window
    assert isinstance(window, MainWindow)
    assert window.isVisible()
    assert not dialog.isVisible()
    assert window.session.staff.staff_id == old_session.staff.staff_id + 500
    assert console.auth.still_signed_in(window.session)
    assert exits == []
    window.close()  # a normal close still quits
    assert exits == [0]


def test_cancelling_the_sign_in_again_exits(qtbot, launcher):
    launcher, exits, console, _staff = launcher
    _session, dialog = sign_out_by_sync(qtbot, launcher, console)
    qtbot.keyClick(dialog.user_field, Qt.Key.Key_Escape)
    assert exits == [0]


def test_an_action_refused_for_a_changed_account_signs_out_before_any_sync(
    qtbot, runner, quiet_demo
):
    """No sync finished yet: the search's audit event is refused (``SessionEnded``, nothing is
    recorded under the old id), and that refusal alone makes the window check and sign out."""
    console, staff = quiet_demo
    user, password = staff["rep"]
    window = open_window(qtbot, runner, console, user, password)
    old_id = window.session.staff.staff_id
    rekey(console, old_id, old_id + 500)
    with console.engine.connect() as conn:
        searches_before = conn.exec_driver_sql(
            "SELECT count(*) FROM audit_event WHERE action = 'customer.search'"
        ).scalar()
    with qtbot.waitSignal(window.closed, timeout=15_000):
        qtbot.keyClicks(window.search_panel.search_field, "garcia")
    assert window.sign_out_reason == SIGNED_OUT_BY_SYNC
    assert not window.isVisible()
    with console.engine.connect() as conn:
        searches_after = conn.exec_driver_sql(
            "SELECT count(*) FROM audit_event WHERE action = 'customer.search'"
        ).scalar()
    assert searches_after == searches_before  # the refused audit wrote nothing
    events = signed_out_events(console)
    assert [(a, d["changed"]) for a, _r, d in events] == [(user, "id")]
