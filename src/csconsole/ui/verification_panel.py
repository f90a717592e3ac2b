"""The verification panel: a rep verifies the caller from the keyboard while talking, inline in
the case pane (a widget, not a dialog over a dialog). Its title names the customer and the case.

One question at a time: the prompt to read out, the caller's answer typed, Enter. The console
says match, no match or "not understood" (with what to type instead), and shows the level
reached, the lock state and the time left. The stored answer is never on screen: the service
returns only the outcome (see ``services.verification``). The rep takes the suggested question
or chooses another of those allowed (Alt+Q, the question list).

Keys: Enter compares the answer; Ctrl+Down (or Alt+N) moves to another question without asking
this one; Alt+Q chooses the question; Alt+C ticks the caller's affirmation (high level, its text
shown in full below to be read aloud); Alt+E ends the verification; Alt+D shows the customer's
data once verified; Close (or ``close_requested``) hides the panel (the verification stays open
until it expires or is ended).

When verification of the customer is locked (on this desk or, after a sync, on any other), a
supervisor sees a reason field and *Unlock verification* (Alt+U; Enter in the reason field
does the same): the unlock is recorded and a new verification starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.policy import CorrectableField, QuestionKind, RequestType
from csconsole.domain.staff import Permission
from csconsole.domain.verification import LABELS
from csconsole.domain.verification_answers import AnswerOutcome
from csconsole.services.auth import Session
from csconsole.services.verification import (
    AnswerResult,
    LockView,
    QuestionView,
    VerificationStatus,
)
from csconsole.ui.plain_text import shown
from csconsole.ui.tasks import ErrorKind, TaskContext, TaskFailure, TaskRunner

MATCH_STYLE = "color: #0b6a0b; font-weight: bold;"
NO_MATCH_STYLE = "color: #a4262c; font-weight: bold;"
REJECTED_STYLE = "color: #8a5300; font-weight: bold;"
LOCKED_STYLE = "background: #fde7e9; color: #a4262c; font-weight: bold; padding: 4px;"


class VerificationBackend(Protocol):
    """What the wizard needs; ``services.verification.VerificationService`` provides it."""

    def start(
        self,
        session: Session,
        case_id: int,
        *,
        fields: Iterable[CorrectableField | str] = (),
        request: RequestType | str | None = None,
    ) -> VerificationStatus: ...

    def answer(
        self, session: Session, verification_id: int, kind: QuestionKind | str, answer: str
    ) -> AnswerResult: ...

    def affirm(self, session: Session, verification_id: int) -> VerificationStatus: ...

    def end(self, session: Session, verification_id: int) -> VerificationStatus: ...

    def case_lock_state(self, session: Session, case_id: int) -> LockView: ...

    def unlock_case(self, session: Session, case_id: int, reason: str) -> LockView: ...


def level_text(status: VerificationStatus) -> str:
    need = f"{status.required.value} ({status.matched} of {status.needed} data points"
    need += ", affirmation)" if status.affirmation_needed else ")"
    state = "VERIFIED" if status.passed else "not verified yet"
    return f"Level reached: {status.level.value}. Needs {need}. {state}"


def locked_text(lock: LockView) -> str:
    where = f" (locked on desk {lock.origin})" if lock.origin else ""
    return (
        f"LOCKED after {lock.failures_in_window} wrong answers{where}: a supervisor must unlock "
        "verification of this customer."
    )


def lock_text(status: VerificationStatus) -> str:
    lock = status.lock
    if lock.locked:
        return locked_text(lock)
    if status.ended:
        return "This verification has ended."
    if status.expired:
        return "This verification has expired; start a new one."
    return (
        f"Wrong answers in the last {lock.window_hours} h: {lock.failures_in_window} of "
        f"{lock.max_failures}. Expires at {status.expires_at:%H:%M} UTC."
    )


class VerificationPanel(QWidget):
    """Runs one verification on ``case_id``. Emits ``verified(VerificationStatus)`` once the
    required level is reached, ``unmask_requested(int)`` (the case) on Alt+D,
    ``unlocked(LockView)`` after a supervisor lifted the customer's lock here, and
    ``close_requested()`` when the rep closes it."""

    verified = Signal(object)
    unmask_requested = Signal(int)
    status_changed = Signal(object)
    unlocked = Signal(object)  # LockView, after a supervisor's unlock
    close_requested = Signal()

    def __init__(
        self,
        backend: VerificationBackend,
        session: Session,
        runner: TaskRunner,
        case_id: int,
        *,
        fields: Iterable[CorrectableField] = (),
        request: RequestType | str | None = None,
        customer_name: str = "",
        case_title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        self.case_id = case_id
        self._fields = tuple(fields)
        self._request = request
        self.status: VerificationStatus | None = None
        self.lock_view: LockView | None = None
        self.last_result: AnswerResult | None = None
        self._question: QuestionView | None = None
        self._busy = False
        self._announced = False
        self.setObjectName("verificationPanel")
        who = shown(customer_name) or "the caller"
        title = f"Verifying {who} — case {case_id}"
        if case_title:
            title += f": {case_title}"
        self.setWindowTitle(title)
        self.setMinimumWidth(360)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("verificationTitle")
        self.title_label.setAccessibleName("Whom and which case this verifies")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # a name is never markup
        self.title_label.setWordWrap(True)
        title_font = self.title_label.font()
        title_font.setBold(True)
        self.title_label.setFont(title_font)

        self.level_label = QLabel("Starting…")
        self.level_label.setObjectName("levelLabel")
        self.level_label.setAccessibleName("Verification level")
        self.level_label.setWordWrap(True)
        self.lock_label = QLabel()
        self.lock_label.setObjectName("lockLabel")
        self.lock_label.setAccessibleName("Lock state")
        self.lock_label.setWordWrap(True)

        # A supervisor lifts a lock from here: the reason, then Alt+U (or Enter in the field).
        self.can_unlock = session.may(Permission.UNLOCK_VERIFICATION)
        self.unlock_reason = QLineEdit()
        self.unlock_reason.setObjectName("unlockReason")
        self.unlock_reason.setAccessibleName("Reason for unlocking")
        self.unlock_reason.setPlaceholderText(
            "Why verification may go on (e.g. called back on the number on file), then Enter"
        )
        self.unlock_reason.setMaxLength(500)
        self.unlock_reason.returnPressed.connect(self.unlock_verification)
        self.unlock_button = QPushButton("&Unlock verification")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setToolTip("Lift the lockout of this customer (Alt+U), with the reason")
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self.unlock_verification)
        self.unlock_row = QWidget()
        self.unlock_row.setObjectName("unlockRow")
        unlock_layout = QHBoxLayout(self.unlock_row)
        unlock_layout.setContentsMargins(0, 0, 0, 0)
        unlock_layout.addWidget(self.unlock_reason, 1)
        unlock_layout.addWidget(self.unlock_button)
        self.unlock_row.hide()

        self.question_label = QLabel()
        self.question_label.setObjectName("questionLabel")
        self.question_label.setAccessibleName("Question kind")
        # The questions allowed now, the suggested one first; the rep may pick any of them.
        self.question_combo = QComboBox()
        self.question_combo.setObjectName("questionCombo")
        self.question_combo.setAccessibleName("Question to ask")
        self.question_combo.setToolTip("Choose the question to ask (Alt+Q), or keep the suggested")
        self.question_combo.activated.connect(self._question_chosen)
        self._filling_combo = False
        question_caption = QLabel("&Question:")
        question_caption.setBuddy(self.question_combo)
        question_row = QHBoxLayout()
        question_row.addWidget(question_caption)
        question_row.addWidget(self.question_combo, 1)
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("promptLabel")
        self.prompt_label.setAccessibleName("Question to read out")
        self.prompt_label.setWordWrap(True)
        font = self.prompt_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.prompt_label.setFont(font)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("hintLabel")
        self.hint_label.setWordWrap(True)

        self.answer_field = QLineEdit()
        self.answer_field.setObjectName("answerField")
        self.answer_field.setAccessibleName("Caller's answer")
        self.answer_field.setPlaceholderText("Type what the caller says, then Enter")
        self.answer_field.setMaxLength(300)
        self.answer_field.returnPressed.connect(self.submit_answer)

        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setAccessibleName("Result of the last answer")
        self.result_label.setWordWrap(True)

        self.history = QListWidget()
        self.history.setObjectName("historyList")
        self.history.setAccessibleName("Questions asked")
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.setMaximumHeight(120)

        # A check box does not wrap its text: the statement to read aloud is a wrapping label.
        self.affirmation_label = QLabel()
        self.affirmation_label.setObjectName("affirmationText")
        self.affirmation_label.setAccessibleName("Affirmation to read aloud")
        self.affirmation_label.setTextFormat(Qt.TextFormat.PlainText)
        self.affirmation_label.setWordWrap(True)
        self.affirmation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.affirmation_label.hide()
        self.affirmation_box = QCheckBox("&Caller affirms the statement above")
        self.affirmation_box.setObjectName("affirmationBox")
        self.affirmation_box.setAccessibleName("Caller's affirmation")
        self.affirmation_box.hide()
        self.affirmation_box.toggled.connect(self._affirmation_toggled)

        self.skip_button = QPushButton("&Next question")
        self.skip_button.setObjectName("skipButton")
        self.skip_button.setToolTip("Ask another question instead (Ctrl+Down)")
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(self.next_question)
        self.end_button = QPushButton("&End verification")
        self.end_button.setObjectName("endButton")
        self.end_button.setAutoDefault(False)
        self.end_button.clicked.connect(self.end_verification)
        self.unmask_button = QPushButton("Show customer &data")
        self.unmask_button.setObjectName("unmaskButton")
        self.unmask_button.setAutoDefault(False)
        self.unmask_button.setEnabled(False)
        self.unmask_button.clicked.connect(lambda: self.unmask_requested.emit(self.case_id))
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.setToolTip("Close the verification panel")
        self.close_button.clicked.connect(self._close)
        QShortcut(QKeySequence("Ctrl+Down"), self, self.next_question)

        buttons = QHBoxLayout()
        for button in (self.skip_button, self.end_button, self.unmask_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.level_label)
        layout.addWidget(self.lock_label)
        layout.addWidget(self.unlock_row)
        layout.addLayout(question_row)
        layout.addWidget(self.question_label)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.answer_field)
        layout.addWidget(self.result_label)
        layout.addWidget(self.affirmation_label)
        layout.addWidget(self.affirmation_box)
        layout.addWidget(QLabel("Asked so far:"))
        layout.addWidget(self.history)
        layout.addLayout(buttons)
        self._set_busy(True)

    # --- starting ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the verification on the worker (call once, after showing the wizard)."""
        backend, session, case_id = self._backend, self._session, self.case_id
        fields, request = self._fields, self._request

        def run(_ctx: TaskContext) -> VerificationStatus:
            return backend.start(session, case_id, fields=fields, request=request)

        self._runner.submit(
            run, name="verification_start", on_finished=self._show_status, on_failed=self._failed
        )

    # --- answering ---------------------------------------------------------------------------

    def submit_answer(self) -> None:
        status, question = self.status, self._question
        if self._busy or status is None or question is None or not status.usable:
            return
        answer = self.answer_field.text()
        backend, session, vid = self._backend, self._session, status.verification_id

        def run(_ctx: TaskContext) -> AnswerResult:
            return backend.answer(session, vid, question.kind, answer)

        self._set_busy(True)
        self._runner.submit(
            run, name="verification_answer", on_finished=self._answered, on_failed=self._failed
        )

    def _answered(self, result: AnswerResult) -> None:
        self.last_result = result
        styles = {
            AnswerOutcome.MATCH: MATCH_STYLE,
            AnswerOutcome.NO_MATCH: NO_MATCH_STYLE,
            AnswerOutcome.NO_MATCH_LATE: NO_MATCH_STYLE,
            AnswerOutcome.REJECTED: REJECTED_STYLE,
        }
        text = f"{LABELS[result.kind]}: {result.outcome.label}"
        if result.reason:
            text += f". {result.reason}"
        self.result_label.setText(text)
        self.result_label.setStyleSheet(styles[result.outcome])
        if result.outcome is not AnswerOutcome.REJECTED:
            self.answer_field.clear()
            self._question = None  # asked: move on to the next one
        else:
            self.answer_field.selectAll()
        self._show_status(result.status)

    def next_question(self) -> None:
        """Another question instead of the current one (not asked, nothing recorded)."""
        status = self.status
        if status is None or not status.remaining:
            return
        kinds = [q.kind for q in status.remaining]
        current = self._question.kind if self._question else None
        index = (kinds.index(current) + 1) % len(kinds) if current in kinds else 0
        self._set_question(status.remaining[index])
        self.answer_field.clear()
        self.answer_field.setFocus()

    def choose_question(self, kind: QuestionKind) -> bool:
        """Ask ``kind`` next instead of the suggested question; False if it is not allowed."""
        status = self.status
        if status is None or not status.usable:
            return False
        for question in status.remaining:
            if question.kind is kind:
                self._set_question(question)
                self.answer_field.clear()
                self.answer_field.setFocus()
                return True
        return False

    def _question_chosen(self, index: int) -> None:
        if self._filling_combo:
            return
        kind = self.question_combo.itemData(index)  # Qt hands an enum back as its str value
        if kind is not None:
            self.choose_question(QuestionKind(kind))

    def _fill_combo(self) -> None:
        status = self.status
        self._filling_combo = True
        try:
            self.question_combo.clear()
            remaining = status.remaining if status is not None and status.usable else ()
            for i, question in enumerate(remaining):
                text = f"{question.label} (suggested)" if i == 0 else question.label
                self.question_combo.addItem(text, question.kind.value)
            if self._question is not None:
                index = self.question_combo.findData(self._question.kind.value)
                if index >= 0:
                    self.question_combo.setCurrentIndex(index)
            self.question_combo.setEnabled(len(remaining) > 0)
        finally:
            self._filling_combo = False

    def _set_question(self, question: QuestionView | None) -> None:
        self._question = question
        if question is None:
            self.question_label.clear()
            self.prompt_label.setText("No more questions can be asked.")
            self.hint_label.clear()
            return
        self.question_label.setText(f"Question: {question.label}")
        self.prompt_label.setText(question.prompt)
        self.hint_label.setText(question.hint)
        index = self.question_combo.findData(question.kind.value)
        if index >= 0 and index != self.question_combo.currentIndex():
            self._filling_combo = True
            self.question_combo.setCurrentIndex(index)
            self._filling_combo = False

    # --- affirmation, end --------------------------------------------------------------------

    def _affirmation_toggled(self, checked: bool) -> None:
        status = self.status
        if not checked or status is None or status.affirmed or self._busy:
            return
        backend, session, vid = self._backend, self._session, status.verification_id

        def run(_ctx: TaskContext) -> VerificationStatus:
            return backend.affirm(session, vid)

        self._set_busy(True)
        self._runner.submit(
            run, name="verification_affirm", on_finished=self._show_status, on_failed=self._failed
        )

    def end_verification(self) -> None:
        status = self.status
        if status is None or status.ended or self._busy:
            return
        backend, session, vid = self._backend, self._session, status.verification_id

        def run(_ctx: TaskContext) -> VerificationStatus:
            return backend.end(session, vid)

        self._set_busy(True)
        self._runner.submit(
            run, name="verification_end", on_finished=self._show_status, on_failed=self._failed
        )

    # --- unlocking (supervisors) -------------------------------------------------------------

    def unlock_verification(self) -> None:
        """Lift the customer's lock with the reason typed (supervisors only; the service checks
        too). Without a reason, the reason field gets the focus."""
        if self._busy or not self.can_unlock or self.unlock_row.isHidden():
            return
        reason = self.unlock_reason.text().strip()
        if not reason:
            self.result_label.setText("Type why verification may go on, then press Enter.")
            self.result_label.setStyleSheet(REJECTED_STYLE)
            self.unlock_reason.setFocus()
            return
        backend, session, case_id = self._backend, self._session, self.case_id

        def run(_ctx: TaskContext) -> LockView:
            return backend.unlock_case(session, case_id, reason)

        self._set_busy(True)
        self._runner.submit(
            run,
            name="verification_unlock",
            on_finished=self._unlocked,
            on_failed=self._unlock_failed,
        )

    def _unlocked(self, view: LockView) -> None:
        self._set_busy(False)
        self.unlock_reason.clear()
        self._show_lock(view)
        self.result_label.setText("Unlocked. A new verification starts.")
        self.result_label.setStyleSheet(MATCH_STYLE)
        self.unlocked.emit(view)
        self.status = None
        self._question = None
        self._announced = False
        self._set_busy(True)
        self.start()

    def _unlock_failed(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self.result_label.setText(failure.message)
        self.result_label.setStyleSheet(NO_MATCH_STYLE)
        self.refresh_lock()

    def refresh_lock(self) -> None:
        """Ask the service where the customer's lock stands (after a refusal or a failed
        unlock): which desk locked it, and whether it is still locked."""
        backend, session, case_id = self._backend, self._session, self.case_id

        def run(_ctx: TaskContext) -> LockView:
            return backend.case_lock_state(session, case_id)

        self._runner.submit(run, name="verification_lock_state", on_finished=self._show_lock)

    def _show_lock(self, view: LockView) -> None:
        self.lock_view = view
        if view.locked:
            self.lock_label.setText(locked_text(view))
            self.lock_label.setStyleSheet(LOCKED_STYLE)
        elif self.status is None or self.status.lock.locked:
            self.lock_label.setText(
                f"Not locked: wrong answers in the last {view.window_hours} h: "
                f"{view.failures_in_window} of {view.max_failures}."
            )
            self.lock_label.setStyleSheet("")
        show = view.locked and self.can_unlock
        self.unlock_row.setVisible(show)
        if show and not self._busy:
            self.unlock_reason.setFocus()

    # --- showing -----------------------------------------------------------------------------

    def _show_status(self, status: VerificationStatus) -> None:
        self.status = status
        self._set_busy(False)
        self.level_label.setText(level_text(status))
        self.lock_label.setText(lock_text(status))
        self.lock_label.setStyleSheet(LOCKED_STYLE if status.lock.locked else "")
        self.lock_view = status.lock
        self.unlock_row.setVisible(status.lock.locked and self.can_unlock)
        self.history.clear()
        for kind, matched in status.asked:
            self.history.addItem(f"{LABELS[kind]}: {'match' if matched else 'no match'}")
        remaining = {q.kind: q for q in status.remaining}
        if self._question is None or self._question.kind not in remaining:
            self._set_question(status.remaining[0] if status.remaining else None)
        if status.lock.locked:
            # Said once, in the lock line; the questions are disabled, not repeated.
            self._set_question(None)
            self.prompt_label.clear()
        self._fill_combo()
        if status.affirmation_needed:
            self.affirmation_label.setText(f"“{status.affirmation_text}”")
            self.affirmation_label.show()
            self.affirmation_box.show()
            self.affirmation_box.blockSignals(True)
            self.affirmation_box.setChecked(status.affirmed)
            self.affirmation_box.blockSignals(False)
            self.affirmation_box.setEnabled(status.usable and not status.affirmed)
        usable = status.usable and self._question is not None
        self.answer_field.setEnabled(usable)
        self.skip_button.setEnabled(status.usable and len(status.remaining) > 1)
        self.end_button.setEnabled(not status.ended)
        self.unmask_button.setEnabled(status.passed and status.usable)
        if not status.passed and status.usable and not status.can_still_pass:
            self.result_label.setText(
                self.result_label.text() + "  The questions left cannot reach the level needed."
            )
        if usable:
            self.answer_field.setFocus()
        elif not self.unlock_row.isHidden():
            self.unlock_reason.setFocus()
        self.status_changed.emit(status)
        if status.passed and not self._announced:
            self._announced = True
            self.verified.emit(status)

    def _failed(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self.result_label.setText(failure.message)
        self.result_label.setStyleSheet(NO_MATCH_STYLE)
        if failure.kind is ErrorKind.LOCKED:
            # Said once: in the lock line, not also as the last result.
            self.result_label.clear()
            self.result_label.setStyleSheet("")
            self.lock_label.setText(failure.message)
            self.lock_label.setStyleSheet(LOCKED_STYLE)
            self.answer_field.setEnabled(False)
            self.question_combo.setEnabled(False)
            self.skip_button.setEnabled(False)
            self._set_question(None)
            self.prompt_label.clear()
            self.refresh_lock()  # which desk locked it; a supervisor may unlock it here
        elif self.status is not None:
            self.answer_field.setEnabled(self.status.usable)
            self.answer_field.setFocus()
        if self.status is None:
            # Nothing started: say so instead of leaving "Starting…" on screen.
            self.level_label.setText("Verification not started")
            self.answer_field.setEnabled(False)

    def _close(self) -> None:
        self.hide()
        self.close_requested.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.answer_field.setReadOnly(busy)

    @property
    def is_busy(self) -> bool:
        return self._busy

    @property
    def current_question(self) -> QuestionKind | None:
        return self._question.kind if self._question else None
