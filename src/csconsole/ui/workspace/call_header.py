"""The header above the customer: who is on the line, the case, the verification, the badges.

Always visible; everything in it comes from the :class:`CallState` (names and summaries are
shown as plain text, never as rich text).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from csconsole.ui.plain_text import shown
from csconsole.ui.workspace.call_context import CallState
from csconsole.ui.workspace.words import case_type_short, status_words

NO_CUSTOMER = "No customer on screen"
BADGE_STYLE = (
    "QLabel { background: #fde7e9; color: #a4262c; border: 1px solid #e8a0a6;"
    " border-radius: 3px; padding: 2px 6px; font-weight: bold; }"
)


def _plain(label: QLabel, name: str, accessible: str) -> QLabel:
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def case_text(state: CallState) -> str:
    case = state.case
    if state.customer is None:
        return ""
    if case is None:
        return "No case open for this call (Ctrl+N opens one)"
    return (
        f"Case {case.case_id}: {case_type_short(case.case_type)}, "
        f"{status_words(case.status).lower()}, due {case.due_on.isoformat()}"
    )


def verification_text(state: CallState) -> str:
    if state.case is None:
        return ""
    v = state.verification
    if v is None:
        return "Caller verification not started (Ctrl+Shift+V)"
    if v.lock.locked:
        return "Caller verification LOCKED: a supervisor must unlock it"
    if v.ended:
        return f"Verification ended at level {v.level.value} (needed {v.required.value})"
    if v.expired:
        return "Verification expired; start a new one (Ctrl+Shift+V)"
    state_word = "VERIFIED" if v.passed else "not verified yet"
    return (
        f"Level reached: {v.level.value}, needed: {v.required.value} ({state_word}); "
        f"expires at {v.expires_at:%H:%M} UTC"
    )


class CallHeader(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callHeader")
        self.setAccessibleName("Call context")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_label = _plain(QLabel(NO_CUSTOMER), "callCustomerName", "Customer on the line")
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.name_label.setFont(font)
        self.number_label = _plain(QLabel(), "callCustomerNumber", "Customer number")
        self.case_label = _plain(QLabel(), "callCase", "Active case")
        self.case_label.setWordWrap(True)
        self.verification_label = _plain(QLabel(), "callVerification", "Caller verification")
        self.verification_label.setWordWrap(True)
        self.badge_row = QHBoxLayout()
        self.badge_row.setContentsMargins(0, 0, 0, 0)
        self.badge_labels: list[QLabel] = []

        top = QHBoxLayout()
        top.addWidget(self.name_label)
        top.addWidget(self.number_label)
        top.addLayout(self.badge_row)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.case_label)
        layout.addWidget(self.verification_label)
        self.show_state(CallState())

    def show_state(self, state: CallState) -> None:
        customer = state.customer
        self.name_label.setText(shown(customer.name) if customer is not None else NO_CUSTOMER)
        self.number_label.setText(
            f"Customer no. {customer.customer_id}" if customer is not None else ""
        )
        self.case_label.setText(case_text(state))
        self.case_label.setVisible(customer is not None)
        self.verification_label.setText(verification_text(state))
        self.verification_label.setVisible(state.case is not None)
        for label in self.badge_labels:
            self.badge_row.removeWidget(label)
            label.deleteLater()
        self.badge_labels = []
        for badge in state.all_badges():
            label = _plain(QLabel(badge.text), f"badge_{badge.key}", badge.text)
            label.setToolTip(badge.tooltip)
            label.setStyleSheet(BADGE_STYLE)
            self.badge_row.addWidget(label)
            self.badge_labels.append(label)

    def badge_texts(self) -> list[str]:
        return [label.text() for label in self.badge_labels]
