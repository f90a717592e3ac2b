"""Console ▸ Sign out (Ctrl+Shift+O): the person signs out without quitting, the sign-in dialog
comes back on the same window, and the next person (another role) gets what their role may.
Both are audited. Real services (the case world), real widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import MatchKind
from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld, audit_rows


def menu_titles(window: Any) -> list[str]:
    return [a.text() for a in window.menuBar().actions() if a.isVisible()]


def visible_texts(menu: Any) -> list[str]:
    return [a.text() for a in menu.actions() if a.isVisible() and a.text()]


def test_sign_out_and_in_as_another_role_changes_what_the_window_offers(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window = MainWindow(
        ui_world.console, ui_world.session("rep"), runner, idle_timeout_ms=3_600_000
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.open_hit(CustomerHit(JANE, "Jane Smith", "", "", "", "", MatchKind.NAME, 1.0))
    qtbot.waitUntil(lambda: window.context.state.customer is not None, timeout=10_000)
    rep_casework = window.casework
    assert rep_casework is not None and not rep_casework.audit_action.isVisible()
    assert not window.conflicts_action.isVisible()
    assert "&Audit trail" not in visible_texts(rep_casework.menu)
    assert window.supervision is None and "Super&vision" not in menu_titles(window)

    qtbot.keyClick(
        window,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.sign_in_dialog
    assert dialog is not None and dialog.isVisible() and dialog.parent() is window
    assert window.is_signed_out and window.isVisible()  # not quitting
    assert window.context.state.customer is None  # nothing of the last call stays
    assert "Jane Smith" not in window.call_header.name_label.text()
    assert window.casework is None and "Ca&ses" not in menu_titles(window)

    dialog.user_field.setText("supervisor")
    qtbot.keyClicks(dialog.password_field, ui_world.passwords["supervisor"])
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_signed_out, timeout=10_000)
    assert window.session.staff.username == "supervisor"
    assert "supervisor" in window.user_label.text()
    casework = window.casework
    assert casework is not None and casework is not rep_casework
    assert "Ca&ses" in menu_titles(window)
    assert casework.audit_action.isVisible()  # a supervisor reads the audit trail
    assert window.conflicts_action.isVisible()  # and settles conflicts
    assert menu_titles(window).count("Ca&ses") == 1
    # The reviewer's queue arrives with the supervisor; Help stays the last menu.
    assert window.supervision is not None and "Super&vision" in menu_titles(window)
    assert menu_titles(window)[-1] == "&Help"

    # Signing the supervisor out takes the queue away again (menu, action, count).
    queue_action = window.supervision.action
    window.sign_out()
    assert window.supervision is None and "Super&vision" not in menu_titles(window)
    assert queue_action not in window.actions()
    assert (
        window.findChild(QLabel, "queueCount") is None
        or not window.findChild(QLabel, "queueCount").isVisible()
    )
    second = window.sign_in_dialog
    assert second is not None
    second.user_field.setText("supervisor")
    qtbot.keyClicks(second.password_field, ui_world.passwords["supervisor"])
    qtbot.keyClick(second.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_signed_out, timeout=10_000)
    assert menu_titles(window).count("Super&vision") == 1

    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=10_000)
    steps = [(a, d) for a, _c, _k, d in audit_rows(ui_world.console) if a.startswith("staff.")]
    names = [a for a, _d in steps]
    assert "staff.signed_out" in names
    signed_out = next(d for a, d in steps if a == "staff.signed_out")
    assert signed_out["reason"] == "signed out"
    assert names.index("staff.signed_out") < len(names) - 1
    assert names[-1] == "staff.sign_in"


def test_cancelling_the_next_sign_in_closes_the_window(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window = MainWindow(
        ui_world.console, ui_world.session("rep"), runner, idle_timeout_ms=3_600_000
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dialog = window.sign_out()
    assert dialog is not None
    with qtbot.waitSignal(window.closed, timeout=10_000):
        dialog.reject()
    assert window.sign_out_reason is None  # a normal close: the launcher quits
