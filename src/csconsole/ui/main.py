"""Starting the window: the sign-in dialog first, the console opened behind it.

``run(open_console)`` shows the sign-in dialog before anything touches the cache, then opens the
console (keyring, cache, migrations) on the worker thread while the rep types their password. The
password check queues behind the opening on the same thread, so it simply waits for it. If the
console cannot be opened, a message box says why and ``run`` returns 1. A window that signs its
person out (a sync changed their staff account: ``MainWindow.sign_out_reason``) brings the
sign-in dialog back, with the reason, instead of quitting.

Environment:
- ``CSCONSOLE_USER`` prefills the user name.
- ``CSCONSOLE_FIRST_WINDOW_FILE``: when set, the wall-clock ``time.time()`` at which the first
  window was on screen is written there (for the launch benchmark).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from csconsole.domain.errors import CsConsoleError
from csconsole.ui.sign_in_dialog import SignInDialog
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskRunner

if TYPE_CHECKING:  # the services load on the worker, behind the sign-in dialog
    from csconsole.services.auth import Session
    from csconsole.ui.console_like import AuthLike, ConsoleLike
    from csconsole.ui.main_window import MainWindow

APP_NAME = "csconsole"
FIRST_WINDOW_ENV = "CSCONSOLE_FIRST_WINDOW_FILE"
USER_ENV = "CSCONSOLE_USER"
EXIT_OPEN_FAILED = 1

OpenConsole = Callable[[], "ConsoleLike"]
WindowFactory = Callable[["ConsoleLike", "Session", TaskRunner], "MainWindow"]


def _default_window(console: ConsoleLike, session: Session, runner: TaskRunner) -> MainWindow:
    # Imported here so the sign-in dialog is on screen before the window's modules load.
    from csconsole.ui.main_window import MainWindow

    return MainWindow(console, session, runner)


class Launcher(QObject):
    """The start-up sequence, without the event loop (so tests can drive it)."""

    exit_requested = Signal(int)

    def __init__(
        self,
        open_console: OpenConsole,
        runner: TaskRunner,
        *,
        username: str = "",
        first_window_file: str | None = None,
        window_factory: WindowFactory = _default_window,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_console = open_console
        self._runner = runner
        self._username = username
        self._first_window_file = first_window_file
        self._window_factory = window_factory
        # Written on the worker thread by the opening task, read there by the sign-in task.
        self._console: ConsoleLike | None = None
        self.console_ready = False
        self.dialog: SignInDialog | None = None
        self.window: MainWindow | None = None

    @property
    def console(self) -> ConsoleLike | None:
        return self._console

    def start(self) -> None:
        self.dialog = SignInDialog(self._runner, self._auth, username=self._username)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.rejected.connect(self._sign_in_cancelled)
        self.dialog.show()
        QApplication.processEvents()
        if self._first_window_file:
            Path(self._first_window_file).write_text(f"{time.time():.6f}\n", encoding="utf-8")
        self.dialog.set_status("Opening the local cache…")
        self._runner.submit(
            self._open, name="open_console", on_finished=self._opened, on_failed=self._open_failed
        )

    def close_console(self) -> None:
        """Close the cache on the worker thread, after everything queued there (at exit)."""
        console = self._console
        if console is not None:
            self._runner.run_and_wait(console.close)
            self._console = None

    def dispose(self) -> None:
        for widget in (self.dialog, self.window):
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.dialog = self.window = None

    # --- worker thread -----------------------------------------------------------------------

    def _open(self, _ctx: TaskContext) -> ConsoleLike:
        try:
            console = self._open_console()
        except ValueError as exc:  # a bad settings file: its message names the file and key
            raise CsConsoleError(f"The console could not be opened: {exc}") from None
        self._console = console
        return console

    def _auth(self) -> AuthLike:
        console = self._console
        if console is None:
            raise CsConsoleError("The local cache is not open, so nobody can sign in.")
        return console.auth

    # --- UI thread ---------------------------------------------------------------------------

    def _opened(self, _console: ConsoleLike) -> None:
        self.console_ready = True
        if self.dialog is not None:
            self.dialog.set_status("")

    def _open_failed(self, failure: TaskFailure) -> None:
        parent = self.dialog if self.dialog is not None and self.dialog.isVisible() else None
        if self.dialog is not None:
            self.dialog.set_status("")
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "csconsole cannot start",
            failure.message,
            QMessageBox.StandardButton.Close,
            parent,
        )
        box.setObjectName("openFailedBox")
        box.exec()
        self.exit_requested.emit(EXIT_OPEN_FAILED)

    def _signed_in(self, session: Session) -> None:
        console = self._console
        if console is None:  # cannot happen: sign-in runs after the opening on the same thread
            self.exit_requested.emit(EXIT_OPEN_FAILED)
            return
        window = self._window_factory(console, session, self._runner)
        window.closed.connect(lambda: self._window_closed(window))
        self.window = window
        window.show()

    def _window_closed(self, window: MainWindow) -> None:
        reason = window.sign_out_reason
        if not reason or window is not self.window:
            self.exit_requested.emit(0)
            return
        self._sign_in_again(window, reason)

    def _sign_in_again(self, window: MainWindow, reason: str) -> None:
        """The window signed its person out (a sync changed their account): a new sign-in
        dialog with the reason; the console stays open, so signing in opens a new window and
        cancelling exits as at the start."""
        username = window.session.staff.username
        self.window = None
        window.deleteLater()
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = SignInDialog(self._runner, self._auth, username=username)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.rejected.connect(self._sign_in_cancelled)
        self.dialog.set_status(reason)
        self.dialog.show()

    def _sign_in_cancelled(self) -> None:
        if self.window is None:
            self.exit_requested.emit(0)


def run(open_console: OpenConsole, argv: Sequence[str] | None = None) -> int:
    """Show the sign-in dialog, open the console behind it, then the window. Returns the exit
    status: 0 after a normal quit, 1 if the console could not be opened."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    app.setApplicationName(APP_NAME)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    runner = TaskRunner()
    launcher = Launcher(
        open_console,
        runner,
        username=os.environ.get(USER_ENV, ""),
        first_window_file=os.environ.get(FIRST_WINDOW_ENV) or None,
    )
    launcher.exit_requested.connect(app.exit)
    try:
        launcher.start()
        code = app.exec()
    finally:
        launcher.dispose()
        launcher.close_console()
        runner.shutdown()
        app.setQuitOnLastWindowClosed(quit_on_close)
    return code
