"""The Cases menu in a window, over the real services: open a case for the customer on screen,
find it in the case list, verify the caller, see the unmasked data; the audit browser is for
supervisors only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import MatchKind
from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld


def window_for(qtbot: Any, world: CaseWorld, runner: TaskRunner, role: str) -> tuple[Any, Any]:
    """A main window with Jane on screen (the call context), and its Cases menu."""
    window = MainWindow(world.console, world.session(role), runner, idle_timeout_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.open_hit(CustomerHit(JANE, "Jane Smith", "", "", "", "", MatchKind.NAME, 1.0))
    qtbot.waitUntil(lambda: window.context.state.customer is not None, timeout=10_000)
    return window, window.casework


def test_from_a_new_case_to_the_unmasked_customer(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window, menu = window_for(qtbot, ui_world, runner, "rep")
    assert not menu.audit_action.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = menu.open_case_dialog
    assert dialog is not None and dialog.customer_id == JANE
    qtbot.waitUntil(dialog.summary_field.hasFocus)
    qtbot.keyClicks(dialog.summary_field, "wants to know what we hold")
    with qtbot.waitSignal(dialog.opened, timeout=10_000) as opened:
        qtbot.keyClick(dialog.summary_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case = opened.args[0]
    assert case.customer_id == JANE and case.case_type.value == "access"
    assert window.context.state.case_id == case.case_id  # the new case is the call's

    menu.show_case_list()
    case_list = menu.case_list
    assert case_list is not None
    qtbot.waitUntil(lambda: case_list.model.rowCount() == 1, timeout=10_000)
    case_list.table.selectRow(0)
    menu.verify()
    wizard = menu.wizard
    assert wizard is not None and wizard.case_id == case.case_id
    qtbot.waitUntil(lambda: wizard.status is not None, timeout=10_000)
    for text in ("jane.smith@example.org", "212 555 4990"):
        before = wizard.last_result
        qtbot.keyClicks(wizard.answer_field, text)
        qtbot.keyClick(wizard.answer_field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda b=before: wizard.last_result is not b, timeout=10_000)
    qtbot.waitUntil(wizard.unmask_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(wizard.unmask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: menu.unmasked_dialog is not None, timeout=10_000)
    shown = menu.unmasked_dialog.browser.toPlainText()
    assert "Jane.Smith@example.org" in shown and "standard level" in shown
    assert "DN100000003" not in shown  # orders need the high level


def test_supervisors_get_the_audit_browser(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window, menu = window_for(qtbot, ui_world, runner, "supervisor")
    assert menu.audit_action.isVisible()
    qtbot.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    browser = menu.audit_browser
    assert browser is not None
    qtbot.waitUntil(lambda: "intact" in browser.chain_label.text(), timeout=10_000)


def test_locking_hides_the_case_windows_and_disables_the_actions(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    _window, menu = window_for(qtbot, ui_world, runner, "supervisor")
    menu.show_case_list()
    menu.show_audit_browser()
    assert menu.case_list_window is not None and menu.case_list_window.isVisible()
    menu.set_locked(True)
    assert not menu.case_list_window.isVisible()
    assert menu.audit_window is not None and not menu.audit_window.isVisible()
    assert not menu.case_list_action.isEnabled() and not menu.open_case_action.isEnabled()
    menu.set_locked(False)
    assert menu.case_list_action.isEnabled() and menu.audit_action.isEnabled()
    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=10_000)
