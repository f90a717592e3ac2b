"""Opening a case for the customer on the line: the type in words, the channel, a summary with
room to write it (Ctrl+Enter saves). A refusal names the field and goes away once the field is
changed."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.cases import MAX_SUMMARY_CHARS, CaseRecord, Channel
from csconsole.domain.errors import InvalidInput
from csconsole.domain.policy import CaseType
from csconsole.services.auth import Session
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskRunner
from csconsole.ui.workspace.words import case_type_words


class OpenCaseBackend(Protocol):
    """``services.cases.CaseService`` provides it."""

    def open_case(
        self,
        session: Session,
        case_type: CaseType | str,
        *,
        customer_id: int | None,
        channel: Channel | str,
        summary: str,
    ) -> CaseRecord: ...


class OpenCaseDialog(QDialog):
    """Emits ``opened(CaseRecord)`` and accepts once the case is stored."""

    opened = Signal(object)

    def __init__(
        self,
        backend: OpenCaseBackend,
        session: Session,
        runner: TaskRunner,
        customer_id: int | None,
        *,
        customer_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        self.customer_id = customer_id
        self.setObjectName("openCaseDialog")
        self.setWindowTitle("Open a case")
        who = customer_name or (f"customer {customer_id}" if customer_id else "no customer")
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("caseTypeCombo")
        for case_type in CaseType:
            self.type_combo.addItem(case_type_words(case_type), case_type.value)
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channelCombo")
        for channel in Channel:
            self.channel_combo.addItem(channel.value.replace("_", " "), channel.value)
        self.summary_field = QPlainTextEdit()
        self.summary_field.setObjectName("summaryField")
        self.summary_field.setAccessibleName("What the caller asks for")
        self.summary_field.setPlaceholderText(
            f"What the caller asks for, in a few lines (at most {MAX_SUMMARY_CHARS} characters);"
            " Ctrl+Enter saves"
        )
        self.summary_field.setTabChangesFocus(True)
        self.summary_field.setMinimumHeight(90)
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setObjectName("openCaseError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a4262c;")
        form = QFormLayout()
        form.addRow("Customer:", QLabel(who))
        form.addRow("&Type:", self.type_combo)
        form.addRow("C&hannel:", self.channel_combo)
        form.addRow("&Summary:", self.summary_field)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)
        # A refusal is about what was typed or chosen: once that changes, it is out of date.
        self.summary_field.textChanged.connect(self.error_label.clear)
        self.type_combo.currentIndexChanged.connect(self.error_label.clear)
        self.channel_combo.currentIndexChanged.connect(self.error_label.clear)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.summary_field.setFocus()

    def submit(self) -> None:
        if not self.buttons.isEnabled():
            return  # one submit at a time (Ctrl+Enter twice)
        backend, session, customer_id = self._backend, self._session, self.customer_id
        case_type: str = self.type_combo.currentData()
        channel: str = self.channel_combo.currentData()
        summary = self.summary_field.toPlainText()

        def run(_ctx: TaskContext) -> CaseRecord:
            try:
                return backend.open_case(
                    session, case_type, customer_id=customer_id, channel=channel, summary=summary
                )
            except ValueError as exc:  # the service's reason names the field, never PD
                raise InvalidInput(str(exc)) from None

        self.buttons.setEnabled(False)
        self._runner.submit(run, name="open_case", on_finished=self._opened, on_failed=self._failed)

    def _opened(self, case: CaseRecord) -> None:
        self.buttons.setEnabled(True)
        self.opened.emit(case)
        self.accept()

    def _failed(self, failure: TaskFailure) -> None:
        self.buttons.setEnabled(True)
        self.error_label.setText(failure.message)
