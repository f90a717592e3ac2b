"""Start-up: the sign-in dialog first, the console opened behind it, errors as a message box."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from csconsole.domain.errors import CacheError
from csconsole.ui import main as ui_main
from csconsole.ui.main import Launcher
from csconsole.ui.main_window import MainWindow
from csconsole.ui.sign_in_dialog import SignInDialog
from tests.ui.ui_fakes import FakeConsole

Step = tuple[Callable[[], object], Callable[[object], None]]


def visible(kind):
    def find():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                return widget
        return None

    return find


def drive(steps: list[Step], timeout_ms: int = 15_000) -> QTimer:
    """While ``run`` is in its event loop: wait for each step's widget, then act on it."""
    pending = list(steps)
    started = time.monotonic()
    timer = QTimer()
    timer.setInterval(20)

    def tick() -> None:
        if not pending:
            timer.stop()
            return
        if (time.monotonic() - started) * 1000 > timeout_ms:
            timer.stop()
            QApplication.exit(99)
            return
        find, act = pending[0]
        found = find()
        if found is not None:
            pending.pop(0)
            act(found)

    timer.timeout.connect(tick)
    timer.start()
    return timer


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv(ui_main.USER_ENV, raising=False)
    monkeypatch.delenv(ui_main.FIRST_WINDOW_ENV, raising=False)
    yield tmp_path
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_run_signs_in_opens_the_window_and_exits_zero(qtbot, clean_env, monkeypatch):
    first_window = clean_env / "first-window.txt"
    monkeypatch.setenv(ui_main.USER_ENV, "rep")
    monkeypatch.setenv(ui_main.FIRST_WINDOW_ENV, str(first_window))
    console = FakeConsole()
    seen: dict[str, object] = {}

    def sign_in(dialog: SignInDialog) -> None:
        seen["user"] = dialog.user_field.text()
        qtbot.keyClicks(dialog.password_field, "rep-password-1")
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)

    def use_window(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        seen["user_label"] = window.user_label.text()
        window.close()

    timer = drive([(visible(SignInDialog), sign_in), (visible(MainWindow), use_window)])
    started = time.time()
    code = ui_main.run(lambda: console)
    timer.stop()
    assert code == 0
    assert seen == {
        "user": "rep",
        "title": "csconsole — Rita Rep (rep)",
        "user_label": "Signed in: Rita Rep (rep)",
    }
    shown_at = float(first_window.read_text())
    assert started <= shown_at <= time.time()
    assert console.closed  # the cache is closed on the way out
    assert QApplication.applicationName() == "csconsole"


def test_first_window_does_not_wait_for_a_slow_console(qtbot, clean_env, monkeypatch):
    first_window = clean_env / "first-window.txt"
    monkeypatch.setenv(ui_main.FIRST_WINDOW_ENV, str(first_window))
    opened_on: list[str] = []
    # The console (a big cache, migrations...) opens only once the rep has typed into the
    # dialog: a dialog that waited for the console would never be seen (the opening fails).
    typed = threading.Event()
    typed_at: list[float] = []

    def slow_open() -> FakeConsole:
        opened_on.append(threading.current_thread().name)
        assert typed.wait(10)
        return FakeConsole()

    def sign_in_early(dialog: SignInDialog) -> None:
        # The rep types before the cache is open; the check waits for it.
        assert dialog.status_label.text() == "Opening the local cache…"
        qtbot.keyClicks(dialog.user_field, "rep")
        qtbot.keyClicks(dialog.password_field, "rep-password-1")
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
        assert dialog.is_checking
        typed_at.append(time.time())
        typed.set()

    timer = drive(
        [(visible(SignInDialog), sign_in_early), (visible(MainWindow), lambda w: w.close())]
    )
    started = time.time()
    code = ui_main.run(slow_open)
    timer.stop()
    assert code == 0
    assert typed_at, "the sign-in dialog was never on screen"
    assert started <= float(first_window.read_text()) <= typed_at[0]
    assert opened_on and opened_on[0] != threading.main_thread().name


def test_a_console_that_cannot_open_shows_its_message_and_exits_nonzero(qtbot, clean_env):
    message = "The local cache cache.db does not exist. Run `csconsole demo` to make the demo shop."
    seen: list[str] = []

    def fail() -> FakeConsole:
        raise CacheError(message)

    def read_and_close(box: QMessageBox) -> None:
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Close).click()

    timer = drive([(visible(QMessageBox), read_and_close)])
    code = ui_main.run(fail)
    timer.stop()
    assert code == 1
    assert seen == [message]


def test_a_bad_settings_file_is_reported_not_crashed_on(qtbot, clean_env):
    seen: list[str] = []

    def fail() -> FakeConsole:
        raise ValueError("/x/settings.toml: unknown setting 'colour'")

    def read_and_close(box: QMessageBox) -> None:
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Close).click()

    timer = drive([(visible(QMessageBox), read_and_close)])
    code = ui_main.run(fail)
    timer.stop()
    assert code == 1
    assert seen == ["The console could not be opened: /x/settings.toml: unknown setting 'colour'"]


def test_quitting_at_sign_in_exits_zero_and_closes_the_console(qtbot, clean_env):
    console = FakeConsole()

    def quit_when_open(dialog: SignInDialog) -> None:
        qtbot.waitUntil(lambda: not dialog.status_label.isVisible())  # the console is open
        qtbot.keyClick(dialog.user_field, Qt.Key.Key_Escape)

    timer = drive([(visible(SignInDialog), quit_when_open)])
    code = ui_main.run(lambda: console)
    timer.stop()
    assert code == 0
    assert console.closed
    assert console.auth.attempts == []


def test_launcher_shows_the_dialog_before_the_console_is_open(qtbot, runner):
    gate = threading.Event()
    console = FakeConsole()

    def gated_open() -> FakeConsole:
        gate.wait(5)
        return console

    launcher = Launcher(gated_open, runner, username="rep")
    exits: list[int] = []
    launcher.exit_requested.connect(exits.append)
    launcher.start()
    dialog = launcher.dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert not launcher.console_ready
    assert dialog.status_label.text() == "Opening the local cache…"
    qtbot.keyClicks(dialog.password_field, "rep-password-1")
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    assert dialog.is_checking
    gate.set()
    qtbot.waitUntil(lambda: launcher.window is not None)
    window = launcher.window
    qtbot.addWidget(window)
    assert isinstance(window, MainWindow)
    assert window.session.staff.username == "rep"
    assert launcher.console_ready
    assert not dialog.isVisible()
    window.close()
    assert exits == [0]
    launcher.close_console()
    assert console.closed
