"""The supervisor's queue through the window: Ctrl+Shift+W opens it for a reviewer only, a
lockout is unlocked from it with a reason, and the status bar's count follows (after a sync,
on the timer's tick)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from csconsole.ui.supervisor_queue import REFRESH_MS, SupervisorQueueDialog
from csconsole.ui.sync_status import SyncOutcome
from tests.casework import JANE, CaseWorld
from tests.services.test_supervision_queue import lock_jane
from tests.ui.conftest import WindowMaker
from tests.ui.ui_fakes import FakeConsole

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_offered_to_reviewers_only(make_window: WindowMaker, fake_console: FakeConsole) -> None:
    rep = make_window(username="rep")
    assert rep.supervision is None
    assert "Super&vision" not in [a.text() for a in rep.menuBar().actions()]
    rep.close()
    sup = make_window(username="super")
    assert sup.supervision is not None
    titles = [a.text() for a in sup.menuBar().actions()]
    assert titles[-2:] == ["Super&vision", "&Help"]  # Help stays last


def test_the_count_refreshes_after_a_sync_and_on_the_timer(
    qtbot: Any, make_window: WindowMaker, fake_console: FakeConsole
) -> None:
    window = make_window(username="super")
    supervision = window.supervision
    assert supervision is not None
    qtbot.waitUntil(lambda: fake_console.supervision.counted == 1, timeout=5_000)
    assert supervision.timer.interval() == REFRESH_MS and supervision.timer.isActive()
    supervision.timer.timeout.emit()  # the interval passed (no waiting on a real timer)
    qtbot.waitUntil(lambda: fake_console.supervision.counted == 2, timeout=5_000)
    window.sync_controller.finished.emit(SyncOutcome("ok"))
    qtbot.waitUntil(lambda: fake_console.supervision.counted == 3, timeout=5_000)
    assert supervision.label.text() == "Nothing waits on you"
    window.lock()
    assert not supervision.action.isEnabled()
    assert supervision.refresh_count() is False  # locked: what the timer's tick does reads nothing
    assert supervision.show_queue() is None


def test_a_lockout_is_unlocked_from_the_queue(
    qtbot: Any, make_window: WindowMaker, ui_world: CaseWorld
) -> None:
    console = ui_world.console
    console.settings = console.settings.with_changes(shop_url="")  # no sync behind the test
    lock_jane(ui_world)
    window = make_window(console=console, session=ui_world.session("supervisor"))
    supervision = window.supervision
    assert supervision is not None
    qtbot.waitUntil(lambda: supervision.label.text() == "Waiting on you: 1", timeout=10_000)

    qtbot.keyClick(window, Qt.Key.Key_W, CTRL_SHIFT)
    qtbot.waitUntil(lambda: supervision.dialog is not None, timeout=5_000)
    dialog = supervision.dialog
    assert isinstance(dialog, SupervisorQueueDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.model.index(0, 1).data() == "Verification locked"
    assert f"Customer {JANE}" in dialog.model.index(0, 2).data()
    dialog.table.selectRow(0)
    assert not dialog.unlock_button.isEnabled()  # a reason first
    qtbot.keyClicks(dialog.reason_field, "Called back on the number on file")
    assert dialog.unlock_button.isEnabled()
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: supervision.label.text() == "Nothing waits on you", timeout=10_000)
    assert not console.verification.lock_state(window.session, JANE).locked
    for widget in (dialog.table, dialog.reason_field, dialog.unlock_button):
        assert widget.accessibleName()
