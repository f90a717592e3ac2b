"""The sync-conflicts dialog: its models (qtmodeltester), settling real conflicts with the
keyboard over a real console and a real (SQLite) shop, errors shown in the dialog, and the
Console menu's action for a supervisor (hidden for a rep)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine

from csconsole.domain.errors import PermissionDenied
from csconsole.services.auth import Session
from csconsole.services.outbox import ConflictView, PushOutcome, Resolution
from csconsole.ui.conflicts_dialog import (
    ConflictFieldsModel,
    ConflictIdRole,
    ConflictsDialog,
    ConflictTableModel,
)
from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.db_servers import sqlite_url
from tests.push.conflict_world import (
    PERSONAL,
    SAW,
    SHOP,
    WANTED,
    audit_events,
    make_conflicts,
    push,
    shop_email,
)
from tests.push.fixtures import console_factory, engines, make_shop  # noqa: F401

ALT = Qt.KeyboardModifier.AltModifier


def view(conflict_id: int, outcome: PushOutcome = PushOutcome.CONFLICT, **kw: Any) -> ConflictView:
    values: dict[str, Any] = {
        "conflict_id": conflict_id,
        "outbox_id": conflict_id + 10,
        "kind": "correction",
        "entity": "customer",
        "entity_key": str(conflict_id),
        "outcome": outcome,
        "shop_values": {"email": "b@x.test", "first_name": "Ann"},
        "expected": {"email": "a@x.test", "first_name": "Ann"},
        "changes": {"email": "c@x.test", "first_name": "Anne"},
        "detected_at": datetime(2026, 3, 2, 9, 5, tzinfo=UTC),
        "case_id": 4,
    }
    values.update(kw)
    return ConflictView(**values)


def test_models_pass_qtmodeltester(qtmodeltester: Any) -> None:
    table = ConflictTableModel()
    table.set_conflicts([view(1), view(2, PushOutcome.MISSING, shop_values={}, case_id=None)])
    qtmodeltester.check(table)
    assert [table.index(0, c).data() for c in range(6)] == [
        "1",
        "customer 1",
        "Changed in the shop",
        "email, first name",
        "2026-03-02 09:05",
        "4",
    ]
    assert table.index(1, 2).data() == "Gone from the shop"
    assert table.index(1, 5).data() == ""
    assert table.index(1, 0).data(ConflictIdRole) == 2
    table.remove(1)
    qtmodeltester.check(table)
    assert table.row_of(2) == 0 and table.row_of(1) == -1

    fields = ConflictFieldsModel()
    fields.set_conflict(view(1))
    qtmodeltester.check(fields)
    rows = [[fields.index(r, c).data() for c in range(4)] for r in range(fields.rowCount())]
    assert rows == [
        ["email", "a@x.test", "b@x.test", "c@x.test"],
        ["first name", "Ann", "Ann", "Anne"],
    ]
    # The shop's value stands out where it is not what the rep saw.
    assert fields.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert fields.index(1, 2).data(Qt.ItemDataRole.BackgroundRole) is None
    fields.set_conflict(view(2, PushOutcome.MISSING, shop_values={}))
    assert fields.index(0, 2).data() == "(gone from the shop)"
    fields.set_conflict(None)
    qtmodeltester.check(fields)
    assert fields.rowCount() == 0


@pytest.fixture
def world(console_factory: Callable[..., Any], engines: list[Engine], tmp_path: Path) -> Any:  # noqa: F811
    console, staff = console_factory("desk")
    # The demo is connected to its own shop file: the window must not sync with it behind the
    # test's back (the conflicts come from the shop made here).
    console.settings = console.settings.with_changes(shop_url="")
    shop = make_shop(sqlite_url(tmp_path / "shop.sqlite"), engines)
    ids = make_conflicts(console, shop)
    return console, staff, shop, ids


def show_dialog(qtbot: Any, dialog: ConflictsDialog) -> None:
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
        dialog.load()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


def fields(dialog: ConflictsDialog) -> list[list[str]]:
    model = dialog.fields_model
    return [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]


def test_a_supervisor_settles_both_ways_with_the_keyboard(
    qtbot: Any, runner: TaskRunner, world: Any
) -> None:
    console, staff, shop, ids = world
    supervisor: Session = console.auth.sign_in(*staff["supervisor"])
    dialog = ConflictsDialog(console.conflicts, supervisor, runner)
    show_dialog(qtbot, dialog)

    assert dialog.table.hasFocus()
    assert dialog.model.rowCount() == 2
    assert dialog.selected().conflict_id == ids["7"]  # type: ignore[union-attr]
    assert fields(dialog) == [["email", SAW, SHOP, WANTED]]
    assert "2 open conflicts" in dialog.message_label.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.selected().conflict_id == ids["9999"]  # type: ignore[union-attr]
    assert fields(dialog) == [["first name", "Nobody", "(gone from the shop)", "Somebody"]]
    assert "no longer has customer 9999" in dialog.explain_label.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Up)

    # Enter in the list settles nothing: it moves to the buttons.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.keep_button.hasFocus)
    assert runner.pending() == 0  # no settle was started
    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (0, 2)

    # Alt+S: send my change again.
    with qtbot.waitSignal(dialog.settled, timeout=10_000) as settled:
        qtbot.keyClick(dialog, Qt.Key.Key_S, ALT)
    assert settled.args == [ids["7"]]
    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (1, 1)
    assert dialog.model.rowCount() == 1
    assert dialog.selected().conflict_id == ids["9999"]  # type: ignore[union-attr]
    assert "goes to the shop at the next sync" in dialog.message_label.text()
    assert dialog.table.hasFocus()

    # Enter moves to "Keep the shop's value", Enter again presses it.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.keep_button.hasFocus)
    assert runner.pending() == 0
    with qtbot.waitSignal(dialog.settled, timeout=10_000):
        qtbot.keyClick(dialog.keep_button, Qt.Key.Key_Return)
    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (1, 0)
    assert dialog.model.rowCount() == 0
    assert not dialog.keep_button.isEnabled() and not dialog.send_button.isEnabled()
    assert "No open conflicts" in dialog.message_label.text()
    assert fields(dialog) == []

    # F5 reads the list again (one more audited look), Esc closes.
    with qtbot.waitSignal(dialog.loaded, timeout=10_000) as reloaded:
        qtbot.keyClick(dialog.table, Qt.Key.Key_F5)
    assert reloaded.args == [0]
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    assert push(console, shop).applied == 1
    assert shop_email(shop) == WANTED
    user = staff["supervisor"][0]
    viewed = audit_events(console, "sync.conflicts_viewed")
    assert viewed == [
        (user, {"count": 2, "conflict_ids": f"{ids['7']},{ids['9999']}"}),
        (user, {"count": 0, "conflict_ids": ""}),
    ]
    settled_events = audit_events(console, "sync.conflict_settled")
    assert [(a, d["conflict_id"], d["resolution"]) for a, d in settled_events] == [
        (user, ids["7"], Resolution.APPLY_MINE.value),
        (user, ids["9999"], Resolution.KEEP_SHOP.value),
    ]
    assert not any(v in json.dumps(viewed + settled_events) for v in PERSONAL)


def test_a_refusal_is_shown_in_the_dialog(qtbot: Any, runner: TaskRunner, world: Any) -> None:
    console, staff, _shop, _ids = world
    rep: Session = console.auth.sign_in(*staff["rep"])
    dialog = ConflictsDialog(console.conflicts, rep, runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.failed, timeout=10_000) as failed:
        dialog.show()
        dialog.load()
    assert "may not review" in failed.args[0]
    assert dialog.message_label.text() == failed.args[0]
    assert dialog.model.rowCount() == 0
    assert not dialog.keep_button.isEnabled()
    assert dialog.reload_button.isEnabled()
    with pytest.raises(PermissionDenied):
        console.conflicts.open(rep)


def test_a_conflict_settled_elsewhere_meanwhile_is_reported(
    qtbot: Any, runner: TaskRunner, world: Any
) -> None:
    console, staff, _shop, ids = world
    supervisor: Session = console.auth.sign_in(*staff["supervisor"])
    dialog = ConflictsDialog(console.conflicts, supervisor, runner)
    show_dialog(qtbot, dialog)
    console.conflicts.settle(supervisor, ids["7"], Resolution.KEEP_SHOP)  # e.g. the command line

    with qtbot.waitSignal(dialog.failed, timeout=10_000) as failed:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert failed.args == [f"Sync conflict {ids['7']} is already settled."]
    assert dialog.send_button.isEnabled()
    assert (console.sync.backlog().shop_changes, console.sync.backlog().conflicts) == (0, 1)


def window_for(qtbot: Any, runner: TaskRunner, console: Any, session: Session) -> MainWindow:
    window = MainWindow(console, session, runner, idle_timeout_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_the_console_menu_opens_it_for_a_supervisor_only(
    qtbot: Any, runner: TaskRunner, world: Any
) -> None:
    console, staff, _shop, ids = world
    rep_window = window_for(qtbot, runner, console, console.auth.sign_in(*staff["rep"]))
    assert not rep_window.conflicts_action.isVisible()
    assert not rep_window.conflicts_action.isEnabled()
    assert rep_window.show_conflicts() is None
    rep_window.close()

    window = window_for(qtbot, runner, console, console.auth.sign_in(*staff["supervisor"]))
    action = window.conflicts_action
    assert action.isVisible() and action.isEnabled()
    assert action in window.menuBar().actions()[0].menu().actions()
    assert window.sync_controller is not None
    qtbot.keyClick(
        window,
        Qt.Key.Key_Y,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.conflicts_dialog is not None, timeout=5_000)
    dialog = window.conflicts_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert QApplication.focusWidget() is dialog.table

    # After a settle the status bar's count is read again.
    with qtbot.waitSignal(
        window.sync_controller.status_changed,
        timeout=10_000,
        check_params_cb=lambda status: status.conflicts == 1,
    ):
        qtbot.keyClick(dialog, Qt.Key.Key_K, ALT)
    assert console.sync.backlog().conflicts == 1
    assert "changed since this list was read" not in dialog.message_label.text()
    assert [c.conflict_id for c in console.conflicts.open(window.session)] == [ids["9999"]]

    # Settled elsewhere (the command line, another window): after the next status read the
    # dialog says its list is out of date, without reloading under the supervisor.
    console.conflicts.settle(window.session, ids["9999"], Resolution.KEEP_SHOP)
    with qtbot.waitSignal(window.sync_controller.status_changed, timeout=10_000):
        window.sync_controller.refresh_status()
    assert dialog.model.rowCount() == 1
    assert "0 now, 1 listed. Press F5" in dialog.message_label.text()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        qtbot.keyClick(dialog.table, Qt.Key.Key_F5)
    assert dialog.model.rowCount() == 0
    assert "No open conflicts" in dialog.message_label.text()

    # Locking hides it (it shows personal data) and disables the action until the unlock.
    window.lock()
    assert not dialog.isVisible()
    assert not action.isEnabled()
    assert window.show_conflicts() is None
