"""The idle lock: engages after a pause in input, unlocks only for the signed-in person."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel

from csconsole.ui.idle_lock import IdleWatcher, minutes_to_ms
from tests.ui.ui_fakes import VirtualTimer


def unlock_with(qtbot, window, user: str | None, password: str) -> None:
    screen = window.lock_screen
    if user is not None:
        screen.user_field.clear()
        qtbot.keyClicks(screen.user_field, user)
    qtbot.keyClicks(screen.password_field, password)
    qtbot.keyClick(screen.password_field, Qt.Key.Key_Return)


def open_a_customer(qtbot, window) -> None:
    field = window.search_panel.search_field
    qtbot.keyClicks(field, "jane doe")
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0)
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.customer_panel.summary is not None)


def test_locks_after_the_pause_and_hides_the_content(qtbot, make_window):
    window = make_window(idle_timeout_ms=300)
    open_a_customer(qtbot, window)
    assert window.customer_panel.isVisible()
    qtbot.waitUntil(lambda: window.is_locked, timeout=5000)
    assert window.lock_screen.isVisible()
    assert not window.content.isVisible()
    assert not window.search_panel.table.isVisible()
    assert not window.customer_panel.isVisible()
    visible_text = " ".join(
        label.text() for label in window.findChildren(QLabel) if label.isVisible()
    )
    assert "Jane Doe" not in visible_text
    assert "j•••@example.com" not in visible_text
    assert "Console locked" in visible_text
    assert window.lock_screen.password_field.hasFocus()
    assert not window.find_action.isEnabled()


def test_input_keeps_it_unlocked(qtbot, make_window):
    timer = VirtualTimer()
    window = make_window(idle_timeout_ms=400, idle_timer=timer)
    field = window.search_panel.search_field
    for _ in range(8):  # 8 x 100 ms of typing: twice the timeout, never a 400 ms pause
        qtbot.keyClick(field, Qt.Key.Key_A)
        timer.advance(100)
    assert not window.is_locked
    timer.advance(299)  # 399 ms since the last key
    assert not window.is_locked
    timer.advance(1)
    assert window.is_locked


def test_wrong_password_keeps_it_locked_right_one_unlocks(qtbot, make_window, fake_console):
    window = make_window()
    window.lock()
    assert window.is_locked
    unlock_with(qtbot, window, None, "not-it")
    qtbot.waitUntil(lambda: window.lock_screen.error_label.isVisible())
    assert window.lock_screen.error_label.text() == "Unknown user name or wrong password."
    assert window.is_locked
    assert not window.content.isVisible()
    unlock_with(qtbot, window, None, "rep-password-1")
    qtbot.waitUntil(lambda: not window.is_locked)
    assert window.content.isVisible()
    assert window.find_action.isEnabled()
    qtbot.waitUntil(window.search_panel.search_field.hasFocus)
    # Both attempts went to the auth service as the signed-in user.
    assert fake_console.auth.attempts == ["rep", "rep"]


def test_another_user_is_refused_even_with_their_right_password(qtbot, make_window, fake_console):
    window = make_window()
    window.lock()
    unlock_with(qtbot, window, "super", "super-password-2")
    assert window.is_locked
    assert "Only rep can unlock" in window.lock_screen.error_label.text()
    assert "Quit" in window.lock_screen.error_label.text()
    assert fake_console.auth.attempts == []  # never even checked


def test_ctrl_l_locks_and_the_lock_screen_can_quit(qtbot, make_window):
    window = make_window()
    qtbot.keyClick(
        window.search_panel.search_field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    assert window.is_locked
    # Ctrl+K does nothing while locked: the search field stays hidden.
    qtbot.keyClick(
        window.lock_screen.password_field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier
    )
    assert window.is_locked
    assert not window.search_panel.search_field.isVisible()
    with qtbot.waitSignal(window.closed):
        qtbot.mouseClick(window.lock_screen.quit_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()


def test_lock_screen_is_reset_each_time(qtbot, make_window):
    window = make_window()
    window.lock()
    screen = window.lock_screen
    qtbot.keyClicks(screen.password_field, "half-typed")
    screen.user_field.setText("someone")
    unlock_with(qtbot, window, None, "")
    window.unlock()
    window.lock()
    assert screen.password_field.text() == ""
    assert screen.user_field.text() == "rep"
    assert not screen.error_label.isVisible()


def test_timeout_comes_from_settings_by_default(qtbot, make_window, fake_console):
    window = make_window(idle_timeout_ms=None)
    assert window.idle.timeout_ms == minutes_to_ms(fake_console.settings.idle_lock_minutes)
    assert window.idle.timeout_ms == 10 * 60_000


def test_idle_watcher_fires_once_and_stops_watching(qtbot):
    timer = VirtualTimer()
    watcher = IdleWatcher(50, timer=timer)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.start()
    timer.advance(49)
    assert fired == []
    timer.advance(1)
    assert fired == [True]
    # Input after the lock does not start the countdown again, nor does more time.
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    QApplication.sendEvent(QApplication.instance(), key)
    timer.advance(10_000)
    assert fired == [True]
    assert not watcher.is_running
    watcher.stop()
    assert not watcher.is_running


def test_the_idle_watcher_runs_on_a_real_timer_too(qtbot):
    watcher = IdleWatcher(50)
    with qtbot.waitSignal(watcher.idle, timeout=5_000):
        watcher.start()
    assert not watcher.is_running
    watcher.stop()
