"""The audit browser: the model (qtmodeltester), filters by person, customer, action and period,
bad filter input, and acknowledging a broken trail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from csconsole.domain.audit_query import AuditEventView
from csconsole.ui.audit_browser import AuditBrowser, AuditEventModel, SeqRole
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
    assert model.index(0, 8).data() == "question=email, result=match"
    assert model.index(1, 5).data() == ""
    assert model.index(4, 0).data(SeqRole) == 5
    model.set_events([])
    qtmodeltester.check(model)


def browser_for(qtbot: Any, world: CaseWorld, runner: TaskRunner) -> AuditBrowser:
    sup = world.session("supervisor")
    day = world.clock.now().date()
    browser = AuditBrowser(
        world.console.audit_trail, sup, runner, today=QDate(day.year, day.month, day.day)
    )
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
    line = browser.action_combo.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, "verification.")
    events = search(qtbot, browser, line)
    assert [e.action for e in events] == ["verification.answer", "verification.started"]
    assert events[0].details["result"] == "no_match"

    browser.from_date.setDate(QDate(2026, 3, 3))  # after everything above
    browser.to_date.setDate(QDate(2026, 3, 10))
    events = search(qtbot, browser, browser.customer_field)
    assert events == []

    browser.customer_field.setText("12a")
    qtbot.keyClick(browser.customer_field, Qt.Key.Key_Return)
    assert browser.message_label.text() == "Customer id: digits only."
    browser.customer_field.clear()
    browser.from_date.setDate(QDate(2026, 3, 5))
    browser.to_date.setDate(QDate(2026, 3, 1))
    qtbot.keyClick(browser.customer_field, Qt.Key.Key_Return)
    assert "last day must not be before the first" in browser.message_label.text()


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
