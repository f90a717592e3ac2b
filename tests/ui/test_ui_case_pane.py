"""The case pane beside the customer: notes shown exactly as typed (never as HTML), refusals that
name the field and save nothing, the status flow, closing with a resolution, verification inline.
Real services (the case world), real widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from csconsole.domain.cases import CaseStatus
from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import MatchKind
from csconsole.domain.policy import QuestionKind
from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld

HTML_NOTE = '<b>bold</b> <a href="http://evil.example">click</a> <img src=x onerror=alert(1)>'


def pane_for(qtbot: Any, world: CaseWorld, runner: TaskRunner) -> tuple[Any, Any, Any]:
    window = MainWindow(world.console, world.session("rep"), runner, idle_timeout_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_hit(CustomerHit(JANE, "Jane Smith", "", "", "", "", MatchKind.NAME, 1.0))
    qtbot.waitUntil(lambda: window.context.state.customer is not None, timeout=10_000)
    case = world.console.cases.open_case(
        world.session("rep"), "access", customer_id=JANE, channel="phone", summary="<i>copy</i>"
    )
    pane = window.case_pane
    with qtbot.waitSignal(pane.detail_loaded, timeout=10_000):
        window.open_case_in_context(case)
    return window, pane, case


def add_note(qtbot: Any, pane: Any, text: str) -> None:
    pane.note_field.setPlainText(text)
    qtbot.mouseClick(pane.add_note_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.add_note_button.isEnabled(), timeout=10_000)


def test_an_html_note_is_shown_as_text(ui_world: CaseWorld, runner: TaskRunner, qtbot: Any) -> None:
    _window, pane, _case = pane_for(qtbot, ui_world, runner)
    assert pane.summary_label.text() == "<i>copy</i>"
    assert pane.summary_label.textFormat() is Qt.TextFormat.PlainText
    with qtbot.waitSignal(pane.detail_loaded, timeout=10_000):
        add_note(qtbot, pane, HTML_NOTE)
    shown = pane.note_texts()
    assert len(shown) == 1 and shown[0].endswith(HTML_NOTE)  # the markup, as typed
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in pane.note_labels)
    assert pane.note_field.toPlainText() == ""


def test_any_text_saved_as_typed_or_refused_with_the_field_named(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    _window, pane, case = pane_for(qtbot, ui_world, runner)
    for text in ["שלום עולם — مرحبا", "Zoë 🙂👍🏽 ok", "x" * 10_000]:
        with qtbot.waitSignal(pane.detail_loaded, timeout=10_000):
            add_note(qtbot, pane, text)
        assert pane.note_texts()[-1].endswith(text)
    too_long = "y" * 10_001
    pane.note_field.setPlainText(too_long)
    qtbot.mouseClick(pane.add_note_button, Qt.MouseButton.LeftButton)
    assert pane.error_label.text() == "note: at most 10000 characters"
    assert pane.note_field.toPlainText() == too_long  # kept for the rep to shorten
    notes = ui_world.console.cases.show(ui_world.session("rep"), case.case_id).notes
    assert len(notes) == 3  # nothing half-saved


def test_the_status_flow_and_closing_with_a_resolution(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window, pane, case = pane_for(qtbot, ui_world, runner)
    offered = [pane.status_combo.itemData(i) for i in range(pane.status_combo.count())]
    assert CaseStatus.IN_PROGRESS in offered and CaseStatus.OPEN not in offered
    pane.status_combo.setCurrentIndex(offered.index(CaseStatus.RESOLVED))
    qtbot.mouseClick(pane.status_button, Qt.MouseButton.LeftButton)
    assert pane.error_label.text().startswith("resolution:")  # closing needs one
    assert ui_world.console.cases.show(ui_world.session("rep"), case.case_id).case.status is (
        CaseStatus.OPEN
    )
    pane.resolution_field.setPlainText("sent the copy <b>by post</b>")
    with qtbot.waitSignal(pane.case_changed, timeout=10_000) as changed:
        qtbot.mouseClick(pane.status_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].status is CaseStatus.RESOLVED
    assert changed.args[0].resolution == "sent the copy <b>by post</b>"
    qtbot.waitUntil(lambda: pane.status_combo.count() == 0, timeout=10_000)
    assert "resolved" in window.call_header.case_label.text()
    assert not pane.add_note_button.isEnabled()


def test_verification_inline_names_the_customer_and_lets_the_rep_choose(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    window, _pane, case = pane_for(qtbot, ui_world, runner)
    panel = window.casework.verify()
    assert panel is not None and panel.parent() is not None  # inside the pane, not a window
    assert not panel.isWindow()
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    assert panel.title_label.text().startswith(f"Verifying Jane Smith — case {case.case_id}")
    assert "(suggested)" in panel.question_combo.itemText(0)
    index = panel.question_combo.findData(QuestionKind.BILLING_POSTCODE.value)
    panel.question_combo.setCurrentIndex(index)
    panel.question_combo.activated.emit(index)
    assert panel.current_question is QuestionKind.BILLING_POSTCODE
    for text in ("10001", "jane.smith@example.org"):
        before = panel.last_result
        qtbot.keyClicks(panel.answer_field, text)
        qtbot.keyClick(panel.answer_field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda b=before: panel.last_result is not b and not panel.is_busy)
        if text == "10001":
            assert panel.choose_question(QuestionKind.EMAIL)
    qtbot.waitUntil(lambda: window.context.state.verified, timeout=10_000)
    assert "VERIFIED" in window.call_header.verification_label.text()
