"""The case list: a rep's own queue, or (supervisors) everyone's; overdue cases stand out.

``CaseTableModel`` is a table over plain ``CaseRecord`` values; ``CaseListWidget`` loads them on
the task runner and keeps the selected case selected across refreshes. Enter or a double click on
a row emits ``case_activated(case_id)`` and ``case_chosen(CaseRecord)`` (the window opens the case
and its customer into the call context); Ctrl+Shift+V on a row, or the context menu's "Verify
the caller", emits ``verify_requested(CaseRecord)``; F5 refreshes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.cases import CaseRecord
from csconsole.domain.staff import Permission
from csconsole.services.auth import Session
from csconsole.ui.record_table import RecordTableModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner
from csconsole.ui.workspace.words import case_type_short

if TYPE_CHECKING:
    from csconsole.services.cases import Scope

Index = QModelIndex | QPersistentModelIndex

CaseIdRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2

OVERDUE_BACKGROUND = QColor("#fde7e9")
OVERDUE_FOREGROUND = QColor("#a4262c")


def _customer(case: CaseRecord) -> str:
    if case.customer_name:
        return case.customer_name
    return f"customer {case.customer_id}" if case.customer_id is not None else "—"


COLUMNS: tuple[tuple[str, Callable[[CaseRecord], str]], ...] = (
    ("Case", lambda c: f"{c.origin}/{c.case_id}" if c.origin else str(c.case_id)),
    ("Type", lambda c: case_type_short(c.case_type)),
    ("Customer", _customer),
    ("Status", lambda c: c.status.label),
    ("Due", lambda c: c.due_on.isoformat()),
    ("Owner", lambda c: c.owner),
    ("Channel", lambda c: c.channel.value.replace("_", " ")),
)
HEADERS = tuple(header for header, _ in COLUMNS)
STATUS_COLUMN = HEADERS.index("Status")


class CaseTableModel(RecordTableModel[CaseRecord]):
    """Read-only, in the service's order (soonest due first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, key_role=CaseIdRole, key=lambda c: c.case_id, parent=parent)
        self._today = date.today()

    def set_cases(self, cases: Sequence[CaseRecord], today: date) -> None:
        self._today = today
        self.set_records(cases)

    def case(self, row: int) -> CaseRecord | None:
        return self.record_at(row)

    def overdue_count(self) -> int:
        return sum(1 for c in self.records() if c.overdue(self._today))

    def record_data(self, record: CaseRecord, column: int, role: int) -> object:
        overdue = record.overdue(self._today)
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.text(record, column)
            return text + " — OVERDUE" if overdue and column == STATUS_COLUMN else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Overdue: due {record.due_on.isoformat()}" if overdue else record.summary[:200]
        if role == Qt.ItemDataRole.BackgroundRole and overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return QBrush(OVERDUE_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and overdue:
            font = QFont()
            font.setBold(True)
            return font
        if role == OverdueRole:
            return overdue
        return None


class CaseListBackend(Protocol):
    """``services.cases.CaseService`` provides it."""

    def list_cases(
        self, session: Session, *, scope: Scope = "mine", include_closed: bool = False
    ) -> list[CaseRecord]: ...

    def today(self) -> date: ...


class CaseListWidget(QWidget):
    case_activated = Signal(int)
    case_chosen = Signal(object)  # CaseRecord
    verify_requested = Signal(object)  # CaseRecord
    loaded = Signal(int)

    def __init__(
        self,
        backend: CaseListBackend,
        session: Session,
        runner: TaskRunner,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        # The filter may change while a load runs: only the newest load is shown.
        self._loads = LatestRequest(runner)
        self._keep: tuple[str, int] | None = None
        self.setObjectName("caseList")
        self.setWindowTitle("Cases")

        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.setAccessibleName("Which cases")
        self.scope_combo.addItem("My queue", "mine")
        if session.may(Permission.VIEW_ALL_CASES):
            self.scope_combo.addItem("All cases", "all")
        self.scope_combo.currentIndexChanged.connect(self.refresh)
        self.closed_box = QCheckBox("Show &closed")
        self.closed_box.setObjectName("closedBox")
        self.closed_box.toggled.connect(self.refresh)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Load the cases again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence("F5"), self, self.refresh)

        self.model = CaseTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName("Cases")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        QShortcut(QKeySequence("Ctrl+Shift+V"), self.table, self.verify_selected)
        self.context_menu: QMenu | None = None

        self.summary_label = QLabel()
        self.summary_label.setObjectName("caseSummary")
        self.summary_label.setAccessibleName("Case count")

        top = QHBoxLayout()
        top.addWidget(self.scope_combo)
        top.addWidget(self.closed_box)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)

    def refresh(self) -> None:
        backend, session = self._backend, self._session
        scope: Scope = self.scope_combo.currentData()
        include_closed = self.closed_box.isChecked()

        def run(_ctx: TaskContext) -> tuple[list[CaseRecord], date]:
            return (
                backend.list_cases(session, scope=scope, include_closed=include_closed),
                backend.today(),
            )

        self.summary_label.setText("Loading…")
        selected = self.selected_record()
        if selected is not None:
            self._keep = (selected.origin, selected.case_id)
        self._loads.submit(run, name="list_cases", on_finished=self._loaded, on_failed=self._failed)

    def _loaded(self, result: tuple[list[CaseRecord], date]) -> None:
        cases, today = result
        self.model.set_cases(cases, today)
        overdue = self.model.overdue_count()
        text = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
        if overdue:
            text += f", {overdue} overdue"
        self.summary_label.setText(text)
        if cases:
            # The case selected before the refresh stays selected (if it is still listed).
            keep = self._keep
            row = next((i for i, c in enumerate(cases) if (c.origin, c.case_id) == keep), 0)
            self.table.selectRow(row)
        self.loaded.emit(len(cases))

    def _failed(self, failure: TaskFailure) -> None:
        self.summary_label.setText(failure.message)

    def _activated(self, index: QModelIndex) -> None:
        case = self.model.case(index.row())
        if case is not None and case.origin:
            # Another desk's case (replicated, read-only here): its number is that desk's.
            self.summary_label.setText(
                f"Case {case.origin}/{case.case_id} was recorded on {case.origin}; "
                "it is worked on there."
            )
        elif case is not None:
            self.case_activated.emit(case.case_id)
            self.case_chosen.emit(case)

    def verify_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.verify_requested.emit(case)

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._activated(rows[0])

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = self.make_context_menu()
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def make_context_menu(self) -> QMenu:
        """The row's actions (also on keys: Enter, Ctrl+Shift+V, F5)."""
        menu = QMenu(self)
        menu.setObjectName("caseContextMenu")
        local = self.selected_case() is not None
        open_action = menu.addAction("&Open in the call\tEnter", self.open_selected)
        open_action.setEnabled(local)
        verify_action = menu.addAction("&Verify the caller\tCtrl+Shift+V", self.verify_selected)
        verify_action.setEnabled(local)
        menu.addSeparator()
        menu.addAction("&Refresh\tF5", self.refresh)
        self.context_menu = menu
        return menu

    def selected_record(self) -> CaseRecord | None:
        """The selected row's case, whichever desk recorded it."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.case(rows[0].row()) if rows else None

    def selected_case(self) -> CaseRecord | None:
        """The selected case if this desk can act on it; another desk's replicated case is
        read-only here (its number is that desk's and may equal a local case's)."""
        rows = self.table.selectionModel().selectedRows()
        case = self.model.case(rows[0].row()) if rows else None
        return case if case is not None and not case.origin else None
