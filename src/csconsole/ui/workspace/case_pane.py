"""The case pane beside the customer: the active case of the call context, its notes timeline
with "add note", the status changes the flow allows, closing with a resolution, and the caller's
verification inline (``ui/verification_panel.py``, embedded, not a dialog).

Free text (summaries, notes, resolutions) is shown as typed: every label is plain text, so HTML
never renders. A refused text keeps what the rep typed and says which field; nothing is half
saved (each change is one service call, one transaction).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.cases import MAX_NOTE_CHARS, CaseRecord, CaseStatus
from csconsole.domain.errors import InvalidInput
from csconsole.services.auth import Session
from csconsole.services.cases import CaseDetail
from csconsole.services.verification import VerificationStatus
from csconsole.ui.plain_text import shown
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner
from csconsole.ui.verification_panel import VerificationBackend, VerificationPanel
from csconsole.ui.workspace.call_context import CallContext, CallState, ContextMismatch
from csconsole.ui.workspace.words import case_type_words, status_words

NO_CASE = "No case for this call. Open one with Ctrl+N, or pick one in the case list."
ERROR_STYLE = "color: #a4262c; font-weight: bold;"
T = TypeVar("T")


class CasePaneBackend(Protocol):
    """``services.cases.CaseService`` provides it."""

    def show(self, session: Session, case_id: int) -> CaseDetail: ...

    def add_note(self, session: Session, case_id: int, text: str) -> int: ...

    def change_status(
        self,
        session: Session,
        case_id: int,
        status: CaseStatus | str,
        *,
        resolution: str | None = None,
    ) -> CaseRecord: ...


def plain_label(name: str, accessible: str, *, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextFormat(Qt.TextFormat.PlainText)  # typed text is never markup
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _refusal(fn: Callable[[], T]) -> T:
    """Run ``fn``; a ValueError (its message names the field, never the text) is shown."""
    try:
        return fn()
    except InvalidInput:
        raise
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


class CasePane(QFrame):
    """Shows the context's case. Emits ``case_changed(CaseRecord)`` after a status change and
    ``unmask_requested(int)`` from the verification panel."""

    case_changed = Signal(object)
    unmask_requested = Signal(int)
    detail_loaded = Signal(object)  # CaseDetail

    def __init__(
        self,
        backend: CasePaneBackend,
        verification: VerificationBackend,
        session: Session,
        runner: TaskRunner,
        context: CallContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._verification = verification
        self._session = session
        self._runner = runner
        self._loads = LatestRequest(runner)
        self.context = context
        self.detail: CaseDetail | None = None
        self.verification_panel: VerificationPanel | None = None
        self._busy = False
        self.setObjectName("casePane")
        self.setAccessibleName("Case")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(340)

        self.title_label = plain_label("caseTitle", "Case")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.summary_label = plain_label("caseSummaryText", "Case summary")
        self.status_label = plain_label("caseStatus", "Case status")
        self.message_label = plain_label("caseMessage", "Case message")

        self.notes_box = QWidget()
        self.notes_layout = QVBoxLayout(self.notes_box)
        self.notes_layout.setContentsMargins(0, 0, 0, 0)
        self.note_labels: list[QLabel] = []
        self.note_field = QPlainTextEdit()
        self.note_field.setObjectName("noteField")
        self.note_field.setAccessibleName("New note")
        self.note_field.setPlaceholderText("Type a note, then Ctrl+Enter or Add note")
        self.note_field.setMaximumHeight(90)
        self.note_field.setTabChangesFocus(True)
        self.add_note_button = QPushButton("Add &note")
        self.add_note_button.setObjectName("addNoteButton")
        self.add_note_button.setToolTip("Save the note on this case")
        self.add_note_button.clicked.connect(self.add_note)

        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        self.status_combo.setAccessibleName("New status")
        self.status_button = QPushButton("Change &status")
        self.status_button.setObjectName("statusButton")
        self.status_button.clicked.connect(self.change_status)
        self.resolution_field = QPlainTextEdit()
        self.resolution_field.setObjectName("resolutionField")
        self.resolution_field.setAccessibleName("Resolution")
        self.resolution_field.setPlaceholderText("Resolution (needed to close: what was done)")
        self.resolution_field.setMaximumHeight(70)
        self.resolution_field.setTabChangesFocus(True)
        self.error_label = plain_label("caseError", "Problem")
        self.error_label.setStyleSheet(ERROR_STYLE)

        self.verify_button = QPushButton("&Verify caller")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip("Verify the caller of this case (Ctrl+Shift+V)")
        self.verify_button.clicked.connect(self.verify)
        self.verification_box = QVBoxLayout()

        self.case_widgets = QWidget()
        body = QVBoxLayout(self.case_widgets)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.summary_label)
        body.addWidget(self.status_label)
        body.addWidget(QLabel("Notes:"))
        body.addWidget(self.notes_box)
        body.addWidget(self.note_field)
        note_row = QHBoxLayout()
        note_row.addStretch(1)
        note_row.addWidget(self.add_note_button)
        body.addLayout(note_row)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_combo, 1)
        status_row.addWidget(self.status_button)
        body.addLayout(status_row)
        body.addWidget(self.resolution_field)
        body.addWidget(self.error_label)
        body.addWidget(self.verify_button)
        body.addLayout(self.verification_box)
        body.addStretch(1)

        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.title_label)
        inner_layout.addWidget(self.message_label)
        inner_layout.addWidget(self.case_widgets)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._shown_case: int | None = None
        context.changed.connect(self._context_changed)
        self._context_changed(context.state)

    # --- the context -------------------------------------------------------------------------

    @property
    def case(self) -> CaseRecord | None:
        return self.context.state.case

    def _context_changed(self, state: CallState) -> None:
        case = state.case
        if case is None:
            self._shown_case = None
            self.detail = None
            self._drop_verification()
            self.title_label.setText("Case")
            self.message_label.setText(NO_CASE if state.customer is not None else "")
            self.message_label.setVisible(state.customer is not None)
            self.case_widgets.hide()
            return
        if case.case_id != self._shown_case:
            self._shown_case = case.case_id
            self._drop_verification()
            self.note_field.clear()
            self.resolution_field.clear()
            self.error_label.clear()
            self.reload()
        self._show_case(case)

    def _show_case(self, case: CaseRecord) -> None:
        self.title_label.setText(f"Case {case.case_id}: {case_type_words(case.case_type)}")
        self.summary_label.setText(shown(case.summary, multiline=True))
        self.status_label.setText(
            f"{status_words(case.status)}, due {case.due_on.isoformat()}, owner {shown(case.owner)}"
        )
        self.message_label.hide()
        self.case_widgets.show()
        closed = case.status.is_closed
        for widget in (self.note_field, self.add_note_button):
            widget.setEnabled(not closed)

    def reload(self) -> None:
        case = self.case
        if case is None:
            return
        backend, session, case_id = self._backend, self._session, case.case_id

        def run(_ctx: TaskContext) -> CaseDetail:
            return backend.show(session, case_id)

        self._loads.submit(run, name="case_show", on_finished=self._loaded, on_failed=self._failed)

    def _loaded(self, detail: CaseDetail) -> None:
        if detail.case.case_id != self._shown_case:
            return  # another case came on screen meanwhile
        self.detail = detail
        for label in self.note_labels:
            self.notes_layout.removeWidget(label)
            label.deleteLater()
        self.note_labels = []
        for note in detail.notes:
            label = plain_label("noteText", "Note")
            label.setText(
                f"{note.at:%Y-%m-%d %H:%M} {shown(note.author)}:\n"
                f"{shown(note.text, multiline=True)}"
            )
            self.notes_layout.addWidget(label)
            self.note_labels.append(label)
        if not detail.notes:
            label = plain_label("noteText", "Note")
            label.setText("No notes yet.")
            self.notes_layout.addWidget(label)
            self.note_labels.append(label)
        self.status_combo.clear()
        for status in detail.next_statuses:
            self.status_combo.addItem(status_words(status), status.value)
        self.status_combo.setEnabled(bool(detail.next_statuses))
        self.status_button.setEnabled(bool(detail.next_statuses))
        self.resolution_field.setEnabled(bool(detail.next_statuses))
        with contextlib.suppress(ContextMismatch):  # the context moved on; nothing to show
            self.context.set_case(detail.case)
        self.detail_loaded.emit(detail)

    def note_texts(self) -> list[str]:
        return [label.text() for label in self.note_labels]

    # --- changing ----------------------------------------------------------------------------

    def add_note(self) -> None:
        case = self.case
        text = self.note_field.toPlainText()
        if case is None or self._busy:
            return
        if len(text) > MAX_NOTE_CHARS:
            self._show_error(f"note: at most {MAX_NOTE_CHARS} characters")
            return
        backend, session, case_id = self._backend, self._session, case.case_id

        def run(_ctx: TaskContext) -> int:
            return _refusal(lambda: backend.add_note(session, case_id, text))

        self._set_busy(True)
        self._runner.submit(
            run, name="case_add_note", on_finished=self._note_added, on_failed=self._failed
        )

    def _note_added(self, _note_id: int) -> None:
        self._set_busy(False)
        self.note_field.clear()
        self.error_label.clear()
        self.reload()

    def change_status(self) -> None:
        case = self.case
        data = self.status_combo.currentData()  # Qt hands an enum back as its str value
        if case is None or self._busy or data is None:
            return
        status = CaseStatus(data)
        resolution = self.resolution_field.toPlainText() or None
        if status.is_closed and not (resolution or "").strip():
            self._show_error("resolution: say what was done before closing the case")
            self.resolution_field.setFocus()
            return
        backend, session, case_id = self._backend, self._session, case.case_id

        def run(_ctx: TaskContext) -> CaseRecord:
            return _refusal(
                lambda: backend.change_status(session, case_id, status, resolution=resolution)
            )

        self._set_busy(True)
        self._runner.submit(
            run, name="case_status", on_finished=self._status_changed, on_failed=self._failed
        )

    def _status_changed(self, case: CaseRecord) -> None:
        self._set_busy(False)
        self.error_label.clear()
        self.resolution_field.clear()
        try:
            self.context.set_case(case)
        except ContextMismatch:
            return
        self.case_changed.emit(case)
        self.reload()

    def _failed(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self._show_error(failure.message)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(shown(message))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.add_note_button.setEnabled(not busy)
        self.status_button.setEnabled(not busy and self.status_combo.count() > 0)

    # --- verification ------------------------------------------------------------------------

    def verify(self) -> VerificationPanel | None:
        """Verify the caller of the context's case, inline; None without a case."""
        state = self.context.state
        case = state.case
        if case is None or case.origin:
            return None
        if self.verification_panel is not None and self.verification_panel.case_id == case.case_id:
            self.verification_panel.show()
            self.verification_panel.answer_field.setFocus()
            return self.verification_panel
        self._drop_verification()
        name = state.customer.name if state.customer is not None else "the caller"
        panel = VerificationPanel(
            self._verification,
            self._session,
            self._runner,
            case.case_id,
            customer_name=name,
            case_title=case_type_words(case.case_type),
        )
        panel.status_changed.connect(self._verification_changed)
        panel.unmask_requested.connect(self.unmask_requested)
        self.verification_panel = panel
        self.verification_box.addWidget(panel)
        self.verify_button.hide()
        panel.show()
        panel.start()
        return panel

    def _verification_changed(self, status: VerificationStatus) -> None:
        with contextlib.suppress(
            ContextMismatch
        ):  # a late answer about a case no longer on screen changes nothing here
            self.context.set_verification(status)

    def _drop_verification(self) -> None:
        panel = self.verification_panel
        if panel is not None:
            panel.status_changed.disconnect(self._verification_changed)
            self.verification_box.removeWidget(panel)
            panel.hide()
            panel.deleteLater()
            self.verification_panel = None
        self.verify_button.show()

    def set_session(self, session: Session) -> None:
        """Another person signed in on this window."""
        self._session = session
        self._drop_verification()
