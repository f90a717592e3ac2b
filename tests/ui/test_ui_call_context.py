"""The call context: one customer on screen, their case and its verification; every action acts
on it. Real services (the case world), real window and widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import MatchKind
from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld

IVAN = 4
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def world_window(qtbot: Any, world: CaseWorld, runner: TaskRunner, role: str = "rep") -> Any:
    window = MainWindow(world.console, world.session(role), runner, idle_timeout_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def hit(customer_id: int, name: str) -> CustomerHit:
    return CustomerHit(customer_id, name, "", "", "", "", MatchKind.NAME, 1.0)


def open_customer(qtbot: Any, window: Any, customer_id: int, name: str) -> None:
    window.open_hit(hit(customer_id, name))
    qtbot.waitUntil(
        lambda: (
            window.context.state.customer is not None
            and window.context.state.customer.customer_id == customer_id
        ),
        timeout=10_000,
    )


def open_case(qtbot: Any, window: Any, summary: str) -> Any:
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = window.casework.open_case_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.summary_field.hasFocus)
    qtbot.keyClicks(dialog.summary_field, summary)
    with qtbot.waitSignal(dialog.opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the shortcuts need it
    return opened.args[0]


def test_verify_acts_on_the_customer_on_screen_not_the_case_selected_in_the_list(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window = world_window(qtbot, ui_world, runner)
    open_customer(qtbot, window, JANE, "Jane Smith")
    case_a = open_case(qtbot, window, "wants a copy of her data")
    assert case_a.customer_id == JANE
    window.casework.show_case_list()
    case_list = window.casework.case_list
    qtbot.waitUntil(lambda: case_list.model.rowCount() == 1, timeout=10_000)
    case_list.table.selectRow(0)
    assert case_list.selected_case().case_id == case_a.case_id
    window.casework.case_list_window.hide()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    open_customer(qtbot, window, IVAN, "Иван Петров")
    assert window.context.state.case is None  # another customer: the whole context changed
    case_b = open_case(qtbot, window, "asks what we hold")
    assert case_b.customer_id == IVAN
    qtbot.waitUntil(lambda: window.context.state.case is not None, timeout=10_000)

    qtbot.keyClick(window, Qt.Key.Key_V, CTRL_SHIFT)
    panel = window.case_pane.verification_panel
    assert panel is not None
    assert panel.case_id == case_b.case_id  # never A's case while B is on screen
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    assert panel.status.customer_id == IVAN
    assert "Иван Петров" in panel.title_label.text()
    assert f"case {case_b.case_id}" in panel.title_label.text()


def test_the_header_shows_the_context(ui_world: CaseWorld, runner: TaskRunner, qtbot: Any) -> None:
    window = world_window(qtbot, ui_world, runner)
    header = window.call_header
    assert "No customer" in header.name_label.text()
    open_customer(qtbot, window, JANE, "Jane Smith")
    assert header.name_label.text() == "Jane Smith"
    assert str(JANE) in header.number_label.text()
    assert "No case" in header.case_label.text()
    case = open_case(qtbot, window, "wants a copy of her data")
    qtbot.waitUntil(lambda: window.context.state.case is not None, timeout=10_000)
    text = header.case_label.text()
    assert str(case.case_id) in text and "Access request" in text
    assert case.due_on.isoformat() in text
    assert "not started" in header.verification_label.text()
    open_customer(qtbot, window, IVAN, "Иван Петров")
    assert "No case" in header.case_label.text()


def test_the_header_badges_and_the_customer_views_verification_seam(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    from csconsole.ui.workspace.call_context import Badge

    window = world_window(qtbot, ui_world, runner)
    seen: list[tuple[bool, str | None, int | None]] = []
    real = window.customer_panel.set_verification

    def spy(verified: bool, level: str | None, case_id: int | None = None) -> None:
        seen.append((verified, level, case_id))
        real(verified, level, case_id)

    window.customer_panel.set_verification = spy
    open_customer(qtbot, window, JANE, "Jane Smith")
    window.context.set_badge(Badge("legal_hold", "Legal hold"))
    assert window.call_header.badge_texts() == ["Legal hold"]
    window.context.remove_badge("legal_hold")
    assert window.call_header.badge_texts() == []
    open_case(qtbot, window, "wants a copy of her data")
    qtbot.waitUntil(lambda: window.context.state.case is not None, timeout=10_000)
    panel = window.casework.verify()
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    for text in ("jane.smith@example.org", "212 555 4990"):
        before = panel.last_result
        qtbot.keyClicks(panel.answer_field, text)
        qtbot.keyClick(panel.answer_field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda b=before: panel.last_result is not b and not panel.is_busy)
    qtbot.waitUntil(lambda: window.context.state.verified, timeout=10_000)
    assert seen[-1] == (True, "standard", window.context.state.case_id)
    assert "expires at" in window.call_header.verification_label.text()
    open_customer(qtbot, window, IVAN, "Иван Петров")
    assert seen[-1] == (False, None, None)  # the next customer is not verified
    assert window.case_pane.verification_panel is None


def test_the_open_case_form_clears_its_error_once_fixed(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window = world_window(qtbot, ui_world, runner)
    open_customer(qtbot, window, JANE, "Jane Smith")
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = window.casework.open_case_dialog
    assert dialog.type_combo.itemText(0) == "Access request (what we hold)"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # no summary
    qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=10_000)
    assert dialog.error_label.text().startswith("summary:")
    assert window.context.state.case is None  # nothing opened
    qtbot.keyClicks(dialog.summary_field, "a")
    assert dialog.error_label.text() == ""


def test_enter_in_the_case_list_opens_the_case_and_its_customer_into_the_call(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    case = ui_world.console.cases.open_case(
        ui_world.session("rep"), "access", customer_id=JANE, channel="phone", summary="copy"
    )
    window = world_window(qtbot, ui_world, runner)
    open_customer(qtbot, window, IVAN, "Иван Петров")
    window.casework.show_case_list()
    case_list = window.casework.case_list
    qtbot.waitUntil(lambda: case_list.model.rowCount() == 1, timeout=10_000)
    case_list.table.setFocus()
    case_list.table.selectRow(0)
    qtbot.keyClick(case_list.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.context.state.case_id == case.case_id, timeout=10_000)
    assert window.context.state.customer_id == JANE  # the case came with its customer
    assert window.call_header.name_label.text() == "Jane Smith"
    assert not window.casework.case_list_window.isVisible()
