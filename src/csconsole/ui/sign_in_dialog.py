"""The first window: user name and password, checked on the worker (argon2 takes ~0.1 s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from csconsole.ui.plain_text import DataLabel
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskHandle, TaskRunner

if TYPE_CHECKING:  # the dialog is the first window: keep its imports light
    from csconsole.services.auth import Session
    from csconsole.ui.console_like import AuthLike

ERROR_STYLE = "color: #a4262c;"


class SignInDialog(QDialog):
    """Emits ``signed_in(Session)`` and accepts; Quit or Escape rejects.

    ``auth`` is called on the worker, so it may wait for a console that is still opening there.
    """

    signed_in = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        auth: Callable[[], AuthLike],
        *,
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._auth = auth
        self._checking: TaskHandle | None = None
        self.setWindowTitle("Sign in — csconsole")
        self.setObjectName("signInDialog")
        self.setMinimumWidth(380)

        heading = QLabel("<b>Customer service console</b><br>Sign in to find customers.")
        heading.setTextFormat(Qt.TextFormat.RichText)

        self.user_field = QLineEdit(username)
        self.user_field.setObjectName("userField")
        self.user_field.setAccessibleName("User name")
        self.user_field.setToolTip("Your staff user name")
        self.user_field.setMaxLength(64)
        self.password_field = QLineEdit()
        self.password_field.setObjectName("passwordField")
        self.password_field.setAccessibleName("Password")
        self.password_field.setToolTip("Your password. Enter signs in.")
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setMaxLength(256)

        form = QFormLayout()
        form.addRow("&User name:", self.user_field)
        form.addRow("&Password:", self.password_field)

        self.error_label = DataLabel()
        self.error_label.setObjectName("signInError")
        self.error_label.setAccessibleName("Sign-in error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()

        self.status_label = DataLabel()
        self.status_label.setObjectName("signInStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        self.progress = QProgressBar()
        self.progress.setObjectName("signInProgress")
        self.progress.setAccessibleName("Checking the password")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton(
            "Sign in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setToolTip("Sign in (Enter)")
        self.sign_in_button.setDefault(True)
        self.quit_button = self.buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setToolTip("Quit the console (Escape)")
        # Focus passing over Quit while the fields are disabled must not make Enter quit.
        self.quit_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        (self.password_field if username else self.user_field).setFocus()

    @property
    def is_checking(self) -> bool:
        return self._checking is not None

    def set_status(self, text: str) -> None:
        """A line about what happens in the background (opening the cache)."""
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def submit(self) -> None:
        if self._checking is not None:
            return
        username = self.user_field.text().strip()
        password = self.password_field.text()
        if not username:
            self.show_error("Enter your user name.")
            self.user_field.setFocus()
            return
        if not password:
            self.password_field.setFocus()
            return
        auth = self._auth

        def check(_ctx: TaskContext) -> Session:
            return auth().sign_in(username, password)

        self._set_checking(True)
        self._checking = self._runner.submit(
            check, name="sign_in", on_finished=self._succeeded, on_failed=self._refused
        )

    def reject(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
            self._checking = None
        super().reject()

    def _set_checking(self, checking: bool) -> None:
        self.progress.setVisible(checking)
        for widget in (self.user_field, self.password_field, self.sign_in_button):
            widget.setEnabled(not checking)
        if checking:
            self.show_error("")
        else:
            self.sign_in_button.setDefault(True)

    def _succeeded(self, session: Session) -> None:
        self._checking = None
        self._set_checking(False)
        self.password_field.clear()
        self.signed_in.emit(session)
        self.accept()

    def _refused(self, failure: TaskFailure) -> None:
        self._checking = None
        self._set_checking(False)
        self.password_field.clear()
        self.show_error(failure.message)
        self.password_field.setFocus()
