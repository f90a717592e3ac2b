"""The case list: the model (qtmodeltester), overdue highlighting, a rep's queue against a
supervisor's view of all, and opening a case from the keyboard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt

from csconsole.domain.cases import CaseRecord, CaseStatus, CaseType, Channel
from csconsole.ui.case_list import (
    OVERDUE_BACKGROUND,
    CaseIdRole,
    CaseListWidget,
    CaseTableModel,
    OverdueRole,
)
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld

TODAY = date(2026, 3, 10)


def record(case_id: int, due: date, status: CaseStatus = CaseStatus.OPEN) -> CaseRecord:
    return CaseRecord(
        case_id=case_id,
        case_type=CaseType.MAILING_OPT_OUT,
        customer_id=JANE if case_id % 2 else None,
        customer_name="Jane Smith" if case_id % 2 else "",
        channel=Channel.IN_PERSON,
        status=status,
        summary="stop the catalogs",
        opened_by="rep",
        owner="rep",
        opened_at=datetime(2026, 3, 1, tzinfo=UTC),
        due_on=due,
    )


def test_model_passes_qtmodeltester_and_highlights_overdue_cases(qtmodeltester: Any) -> None:
    model = CaseTableModel()
    cases = [
        record(1, date(2026, 3, 9)),
        record(2, TODAY),
        record(3, date(2026, 3, 1), CaseStatus.RESOLVED),
    ]
    model.set_cases(cases, TODAY)
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.overdue_count() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == [
        "1",
        "Mailing opt-out",
        "Jane Smith",
        "open — OVERDUE",
        "2026-03-09",
        "rep",
        "in person",
    ]
    assert model.index(0, 0).data(OverdueRole) is True
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    assert model.index(0, 2).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(1, 0).data(OverdueRole) is False  # due today: still in time
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(1, 2).data() == "—"
    assert model.index(2, 3).data() == "resolved"  # closed cases are never overdue
    assert model.index(2, 0).data(CaseIdRole) == 3
    model.set_cases([], TODAY)
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def show(qtbot: Any, widget: CaseListWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        widget.refresh()


def test_rep_queue_supervisor_all_and_overdue_in_the_widget(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep, sup = ui_world.session("rep"), ui_world.session("supervisor")
    cases = ui_world.console.cases
    mine = cases.open_case(rep, "mailing_opt_out", customer_id=JANE, channel="phone", summary="a")
    cases.open_case(sup, "inquiry", customer_id=None, channel="email", summary="b")
    ui_world.clock.advance(days=20)  # the opt-out (10 business days) is now overdue

    rep_list = CaseListWidget(cases, rep, runner)
    show(qtbot, rep_list)
    assert rep_list.scope_combo.count() == 1  # a rep has only their own queue
    assert rep_list.model.rowCount() == 1
    assert rep_list.summary_label.text() == "1 case, 1 overdue"
    assert rep_list.model.index(0, 3).data() == "open — OVERDUE"

    sup_list = CaseListWidget(cases, sup, runner)
    show(qtbot, sup_list)
    assert sup_list.model.rowCount() == 1
    with qtbot.waitSignal(sup_list.loaded, timeout=10_000) as loaded:
        sup_list.scope_combo.setFocus()
        qtbot.keyClick(sup_list.scope_combo, Qt.Key.Key_Down)
    assert loaded.args == [2] and sup_list.scope_combo.currentData() == "all"
    owners = {sup_list.model.case(r).owner for r in range(2)}  # type: ignore[union-attr]
    assert owners == {"rep", "supervisor"}

    rep_list.table.setFocus()
    rep_list.table.selectRow(0)
    with qtbot.waitSignal(rep_list.case_activated, timeout=5_000) as activated:
        qtbot.keyClick(rep_list.table, Qt.Key.Key_Return)
    assert activated.args == [mine.case_id]


def test_closed_cases_appear_only_when_asked(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep = ui_world.session("rep")
    cases = ui_world.console.cases
    case = cases.open_case(rep, "inquiry", customer_id=None, channel="phone", summary="a")
    cases.close(rep, case.case_id, "answered on the phone")
    widget = CaseListWidget(cases, rep, runner)
    show(qtbot, widget)
    assert widget.model.rowCount() == 0 and widget.summary_label.text() == "0 cases"
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        widget.closed_box.setChecked(True)
    assert widget.model.index(0, 3).data() == "resolved"


def test_the_selection_survives_a_refresh_and_the_row_has_its_actions(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep = ui_world.session("rep")
    cases = ui_world.console.cases
    opened = [
        cases.open_case(rep, "inquiry", customer_id=None, channel="phone", summary=f"q{i}")
        for i in range(3)
    ]
    widget = CaseListWidget(cases, rep, runner)
    show(qtbot, widget)
    widget.table.setFocus()
    widget.table.selectRow(2)
    chosen = widget.selected_case()
    assert chosen is not None
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        qtbot.keyClick(widget.table, Qt.Key.Key_F5)
    after = widget.selected_case()
    assert after is not None and after.case_id == chosen.case_id  # not back on the first row
    assert {c.case_id for c in opened} >= {after.case_id}

    menu = widget.make_context_menu()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["&Open in the call\tEnter", "&Verify the caller\tCtrl+Shift+V", "&Refresh\tF5"]
    with qtbot.waitSignal(widget.verify_requested, timeout=5_000) as verify:
        qtbot.keyClick(
            widget.table,
            Qt.Key.Key_V,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert verify.args[0].case_id == chosen.case_id
    with qtbot.waitSignal(widget.case_chosen, timeout=5_000) as enter:
        qtbot.keyClick(widget.table, Qt.Key.Key_Return)
    assert enter.args[0].case_id == chosen.case_id
