"""The audit browser: the model (qtmodeltester), labels and details in full, filters by person,
customer, action (by label) and period (the last 24 hours at first), bad filter input, the CSV
export (escaped, 0600, audited), the tab order, and acknowledging a broken trail."""

from __future__ import annotations

import csv
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QWidget
from sqlalchemy import text

from csconsole.domain.audit_query import AuditEventView
from csconsole.ui.audit_browser import AuditBrowser, AuditEventModel, SeqRole, csv_cell
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, CaseWorld


def test_model_passes_qtmodeltester(qtmodeltester: Any) -> None:
    model = AuditEventModel()
    events = [
        AuditEventView(
            seq=i,
            at=datetime(2026, 3, 2, 9, i, tzinfo=UTC),
            actor="rep",
            role="rep",
            workstation="desk-1",
            action="verification.answer",
            customer_id=JANE if i % 2 else None,
            case_id=i,
            details={"question": "email", "result": "match", "note": None},
        )
        for i in range(1, 6)
    ]
    model.set_events(events)
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "2026-03-02 09:01:00"
    assert model.index(0, 4).data() == "Verification answer checked"
    assert model.index(0, 8).data() == "Question: email; Result: match"
    assert model.index(1, 5).data() == ""
    assert model.index(4, 0).data(SeqRole) == 5
    model.set_events([])
    qtmodeltester.check(model)


def browser_for(
    qtbot: Any, world: CaseWorld, runner: TaskRunner, choose_path: Any = None
) -> AuditBrowser:
    sup = world.session("supervisor")
    # A minute on, so what the test just did is inside the opening period.
    now = world.clock.now() + timedelta(minutes=1)
    kwargs = {"choose_path": choose_path} if choose_path else {}
    browser = AuditBrowser(world.console.audit_trail, sup, runner, now=now, **kwargs)
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitExposed(browser)
    return browser


def search(qtbot: Any, browser: AuditBrowser, field: Any) -> list[Any]:
    with qtbot.waitSignal(browser.searched, timeout=10_000):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    model = browser.model
    return [model.event_at(r) for r in range(model.rowCount())]


def test_filters_by_person_customer_action_and_period(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep = ui_world.session("rep")
    case = ui_world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="a"
    )
    vid = ui_world.console.verification.start(rep, case.case_id).verification_id
    ui_world.console.verification.answer(rep, vid, "email", "nobody@example.com")
    browser = browser_for(qtbot, ui_world, runner)

    qtbot.keyClicks(browser.person_field, "rep")
    events = search(qtbot, browser, browser.person_field)
    assert events and {e.actor for e in events} == {"rep"}
    assert browser.message_label.text() == f"{len(events)} events, newest first"

    browser.person_field.clear()
    qtbot.keyClicks(browser.customer_field, str(JANE))
    browser.select_action("All verification events")
    events = search(qtbot, browser, browser.customer_field)
    assert [e.action for e in events] == ["verification.answer", "verification.started"]
    assert events[0].details["result"] == "no_match"
    assert browser.model.index(0, 4).data() == "Verification answer checked"

    browser.select_action("Verification started")  # one action, by its label
    events = search(qtbot, browser, browser.customer_field)
    assert [e.action for e in events] == ["verification.started"]

    browser.select_action("All verification events")
    start = QDateTime(QDate(2026, 3, 3), QTime(0, 0))  # after everything above
    browser.from_date.setDateTime(start)
    browser.to_date.setDateTime(start.addDays(7))
    events = search(qtbot, browser, browser.customer_field)
    assert events == []

    browser.customer_field.setText("12a")
    qtbot.keyClick(browser.customer_field, Qt.Key.Key_Return)
    assert browser.message_label.text() == "Customer id: digits only."
    browser.customer_field.clear()
    browser.from_date.setDateTime(QDateTime(QDate(2026, 3, 5), QTime(0, 0)))
    browser.to_date.setDateTime(QDateTime(QDate(2026, 3, 1), QTime(0, 0)))
    qtbot.keyClick(browser.customer_field, Qt.Key.Key_Return)
    assert browser.message_label.text() == "Period: the end must be after the start."


def test_opens_on_the_last_24_hours_and_the_period_label_has_its_field(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    browser = browser_for(qtbot, ui_world, runner)
    audit_filter = browser.current_filter()
    assert audit_filter.until is not None and audit_filter.since is not None
    assert audit_filter.until - audit_filter.since == timedelta(hours=24, minutes=1)
    assert audit_filter.action is None and browser.action_combo.currentText() == "Any action"
    # "Pe&riod" is a mnemonic with a buddy now, not a stray ampersand.
    assert browser.period_label.buddy() is browser.from_date
    assert browser.period_label.text() == "Pe&riod:"


def test_details_are_shown_in_full_in_the_pane(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep = ui_world.session("rep")
    case = ui_world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="a"
    )
    vid = ui_world.console.verification.start(rep, case.case_id).verification_id
    ui_world.console.verification.answer(rep, vid, "email", "nobody@example.com")
    browser = browser_for(qtbot, ui_world, runner)
    browser.select_action("Verification answer checked")
    events = search(qtbot, browser, browser.customer_field)
    assert len(events) == 1
    cell = browser.table.visualRect(browser.model.index(0, 0)).center()
    qtbot.mouseClick(browser.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    shown = browser.details_pane.toPlainText()
    assert "Verification answer checked (verification.answer)" in shown
    assert "Result: no match" in shown.splitlines()
    assert f"Customer: {JANE}" in shown
    assert "=" not in shown  # no key=value left


def test_export_writes_escaped_csv_0600_and_is_audited(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any, tmp_path: Path
) -> None:
    rep = ui_world.session("rep")
    ui_world.console.cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="a")
    target = tmp_path / "events.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)  # replacing a readable file leaves it the owner's only
    asked: list[QWidget] = []

    def choose(parent: QWidget) -> str:
        asked.append(parent)
        return str(target)

    browser = browser_for(qtbot, ui_world, runner, choose_path=choose)
    assert not browser.export_button.isEnabled()  # nothing shown yet
    browser.select_action("Case opened")
    events = search(qtbot, browser, browser.customer_field)
    assert len(events) == 1
    with qtbot.waitSignal(browser.exported, timeout=10_000):
        qtbot.mouseClick(browser.export_button, Qt.MouseButton.LeftButton)
    assert asked == [browser]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["seq", "time_utc", "person", "role", "action", "action_code"]
    assert rows[1][4:6] == ["Case opened", "case.opened"]
    assert browser.message_label.text() == f"1 event exported to {target}"
    browser.select_action("Exported the audit trail")
    exports = search(qtbot, browser, browser.customer_field)
    assert [e.details["rows"] for e in exports] == [1]
    assert exports[0].details["action"] == "case.opened"


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped() -> None:
    for cell in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(cell) == "'" + cell
    assert csv_cell("Jane") == "Jane" and csv_cell("") == ""


def test_every_control_is_named_and_tab_follows_the_layout(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    browser = browser_for(qtbot, ui_world, runner)
    chain = browser.tab_chain()
    for widget in chain:
        assert widget.accessibleName(), widget.objectName()
    # The focus chain (what Tab follows) visits the controls top to bottom, left to right.
    visited: list[QWidget] = []
    widget = chain[0].nextInFocusChain()
    while widget is not chain[0] and len(visited) < 200:
        if widget in chain and widget not in visited:
            visited.append(widget)
        widget = widget.nextInFocusChain()
    assert visited == chain[1:]
    # And Tab really moves along it (a line edit to the next).
    browser.person_field.setFocus()
    qtbot.waitUntil(browser.person_field.hasFocus)
    qtbot.keyClick(browser.person_field, Qt.Key.Key_Tab)
    assert browser.customer_field.hasFocus()


def test_a_broken_trail_is_shown_and_acknowledged(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep = ui_world.session("rep")
    ui_world.console.cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="a")
    browser = browser_for(qtbot, ui_world, runner)
    browser.check_chain()
    qtbot.waitUntil(lambda: "intact" in browser.chain_label.text(), timeout=10_000)
    assert not browser.ack_button.isVisible()
    with ui_world.console.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'x' WHERE seq = 3"))
    ui_world.console.audit_trail.verify()  # a full check found the break
    browser.check_chain()
    qtbot.waitUntil(lambda: "BROKEN at event 3" in browser.chain_label.text(), timeout=10_000)
    assert browser.ack_button.isVisible()
    qtbot.keyClicks(browser.ack_reason, "Found in the weekly check; IT told")
    qtbot.mouseClick(browser.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "intact" in browser.chain_label.text(), timeout=10_000)
    assert browser.message_label.text() == "Break acknowledged; recording resumes."
    assert not browser.ack_button.isVisible()
