"""Locking the window after a pause in input, and the lock screen that unlocks it.

``IdleWatcher`` watches every keyboard and mouse event of the application (an event filter on
``QApplication``) and emits ``idle`` after ``timeout_ms`` without one. Its countdown is a
``QTimer`` it is given or makes (tests give one on a virtual clock). ``LockScreen`` covers the
window's content and unlocks only for the person who is signed in, with their password checked by
``auth.sign_in`` (so a wrong password counts toward their sign-in lockout and is audited). Anybody
else is refused there: they must quit and sign in from the start.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csconsole.services.auth import Session
from csconsole.ui.console_like import AuthLike
from csconsole.ui.plain_text import DataLabel
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskHandle, TaskRunner

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.ShortcutOverride,
    }
)


def minutes_to_ms(minutes: int) -> int:
    return max(1, minutes) * 60_000


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without keyboard or mouse input anywhere."""

    idle = Signal()

    def __init__(
        self, timeout_ms: int, parent: QObject | None = None, *, timer: QTimer | None = None
    ) -> None:
        super().__init__(parent)
        self._timer = timer if timer is not None else QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    @property
    def is_running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False


class LockScreen(QWidget):
    """Asks the signed-in person's password; emits ``unlocked`` or ``quit_requested``."""

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        auth: AuthLike,
        session: Session,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAccessibleName("Console locked")
        self._runner = runner
        self._auth = auth
        self._session = session
        self._checking: TaskHandle | None = None

        staff = session.staff
        title = QLabel("Console locked")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        explain = QLabel(
            f"Locked after a pause. Only {staff.display_name} ({staff.username}) can unlock it "
            "with their password. Anyone else: Quit, then sign in."
        )
        explain.setWordWrap(True)

        self.user_field = QLineEdit(staff.username)
        self.user_field.setObjectName("lockUserField")
        self.user_field.setAccessibleName("User name")
        self.user_field.setToolTip("Only the signed-in person can unlock")
        self.password_field = QLineEdit()
        self.password_field.setObjectName("lockPasswordField")
        self.password_field.setAccessibleName("Password")
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setToolTip("Your password. Enter unlocks.")
        self.password_field.returnPressed.connect(self.submit)
        self.user_field.returnPressed.connect(self.password_field.setFocus)

        form = QFormLayout()
        form.addRow("User name:", self.user_field)
        form.addRow("Password:", self.password_field)

        self.error_label = DataLabel()
        self.error_label.setObjectName("lockError")
        self.error_label.setAccessibleName("Unlock error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a4262c;")
        self.error_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setAccessibleName("Checking the password")
        self.progress.hide()

        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setToolTip("Unlock (Enter in the password field)")
        self.unlock_button.clicked.connect(self.submit)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setObjectName("lockQuitButton")
        self.quit_button.setToolTip("Quit the console; the next person signs in from the start")
        self.quit_button.clicked.connect(self.quit_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)

        box = QWidget()
        box.setObjectName("lockBox")
        # A fixed width lets the wrapped explanation take the height it needs.
        box.setFixedWidth(440)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(explain)
        inner.addLayout(form)
        inner.addWidget(self.error_label)
        inner.addWidget(self.progress)
        inner.addLayout(buttons)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def reset(self) -> None:
        """Fresh for the next lock: the signed-in user, no password, no message."""
        if self._checking is not None:
            self._checking.cancel()
            self._checking = None
        self._set_checking(False)
        self.user_field.setText(self._session.staff.username)
        self.password_field.clear()
        self.error_label.hide()
        self.password_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._checking is not None:
            return
        username = self.user_field.text().strip()
        password = self.password_field.text()
        if username != self._session.staff.username:
            self.password_field.clear()
            self._show_error(
                f"Only {self._session.staff.username} can unlock this console. To sign in as "
                "someone else, Quit and start the console again."
            )
            return
        if not password:
            self.password_field.setFocus()
            return
        auth = self._auth

        def check(_ctx: TaskContext) -> Session:
            return auth.sign_in(username, password)

        self._set_checking(True)
        self._checking = self._runner.submit(
            check, name="unlock", on_finished=self._checked, on_failed=self._refused
        )

    def _set_checking(self, checking: bool) -> None:
        self.progress.setVisible(checking)
        for widget in (self.user_field, self.password_field, self.unlock_button):
            widget.setEnabled(not checking)

    def _checked(self, session: Session) -> None:
        self._checking = None
        self._set_checking(False)
        self.password_field.clear()
        if session.staff.staff_id != self._session.staff.staff_id:
            self._show_error("That is not the signed-in person; Quit to sign in as someone else.")
            return
        self.error_label.hide()
        self.unlocked.emit()

    def _refused(self, failure: TaskFailure) -> None:
        self._checking = None
        self._set_checking(False)
        self.password_field.clear()
        self._show_error(failure.message)
        self.password_field.setFocus()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
