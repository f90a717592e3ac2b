"""Settling sync conflicts (supervisors): the changes the shop refused because it held another
value than the one the rep saw, or no longer had the row.

``ConflictTableModel`` lists the open conflicts and ``ConflictFieldsModel`` shows, for the
selected one, each field's three values side by side (what the rep saw, what the shop has now,
what the rep wanted); both are tables over the plain ``ConflictView`` values the service returns.
Loading and settling run on the window's ``TaskRunner``; errors are shown in the dialog.

Keys: focus starts in the list; ↑/↓ choose a conflict; Enter moves to the buttons; Alt+K keeps the
shop's value, Alt+S sends the change again, F5 reloads, Esc closes. Enter never settles anything
unless a settle button has the focus.

A background sync that finds or settles conflicts while the dialog is open does not reload the
list under the supervisor's selection (each read is audited, too): the dialog says that the list
is out of date and F5 reads it again (``note_open_count``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.services.auth import Session
from csconsole.services.conflicts import OPEN_LIMIT
from csconsole.services.outbox import ConflictView, PushOutcome, Resolution
from csconsole.ui.plain_text import DataLabel, shown, tooltip_text
from csconsole.ui.record_table import RecordTableModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

Index = QModelIndex | QPersistentModelIndex

ConflictIdRole = Qt.ItemDataRole.UserRole + 1

GONE = "(gone from the shop)"
DIFFERS_BACKGROUND = QColor("#fff4ce")


class ConflictBackend(Protocol):
    """``services.conflicts.ConflictService`` provides it."""

    def open(self, session: Session) -> list[ConflictView]: ...

    def settle(self, session: Session, conflict_id: int, resolution: Resolution) -> int | None: ...


def value_text(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def field_names(conflict: ConflictView) -> list[str]:
    """The fields of the change, in the order the rep changed them."""
    names = list(conflict.changes)
    names += [name for name in conflict.expected if name not in conflict.changes]
    return names


def _what(conflict: ConflictView) -> str:
    return f"{conflict.entity} {conflict.entity_key}"


def _problem(conflict: ConflictView) -> str:
    if conflict.outcome is PushOutcome.MISSING:
        return "Gone from the shop"
    return "Changed in the shop"


COLUMNS: tuple[tuple[str, Callable[[ConflictView], str]], ...] = (
    ("#", lambda c: str(c.conflict_id)),
    ("Record", _what),
    ("Problem", _problem),
    ("Fields", lambda c: ", ".join(name.replace("_", " ") for name in field_names(c))),
    ("Detected (UTC)", lambda c: c.detected_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
    ("Case", lambda c: "" if c.case_id is None else str(c.case_id)),
)
HEADERS = tuple(header for header, _ in COLUMNS)
FIELDS_COLUMN = HEADERS.index("Fields")


class ConflictTableModel(RecordTableModel[ConflictView]):
    """The open conflicts, oldest first (the service's order)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            COLUMNS, key_role=ConflictIdRole, key=lambda c: c.conflict_id, parent=parent
        )

    def set_conflicts(self, conflicts: Sequence[ConflictView]) -> None:
        self.set_records(conflicts)

    def conflict_at(self, row: int) -> ConflictView | None:
        return self.record_at(row)


FIELD_HEADERS = ("Field", "You saw", "Shop has now", "You wanted")
SHOP_COLUMN = 2


class ConflictFieldsModel(QAbstractTableModel):
    """One conflict's fields: what the rep saw, what the shop has now, what the rep wanted. The
    shop's value stands out where it is not what the rep saw."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conflict: ConflictView | None = None
        self._names: list[str] = []

    def set_conflict(self, conflict: ConflictView | None) -> None:
        self.beginResetModel()
        self._conflict = conflict
        self._names = field_names(conflict) if conflict is not None else []
        self.endResetModel()

    def _cell(self, conflict: ConflictView, name: str, column: int) -> str:
        if column == 0:
            return name.replace("_", " ")
        if column == 1:
            return value_text(conflict.expected.get(name))
        if column == SHOP_COLUMN:
            if conflict.outcome is PushOutcome.MISSING:
                return GONE
            return value_text(conflict.shop_values.get(name))
        return value_text(conflict.changes.get(name))

    def _differs(self, conflict: ConflictView, name: str) -> bool:
        if conflict.outcome is PushOutcome.MISSING:
            return True
        return name in conflict.expected and conflict.shop_values.get(name) != (
            conflict.expected.get(name)
        )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIELD_HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        conflict = self._conflict
        if conflict is None or not index.isValid() or index.parent().isValid():
            return None
        if not 0 <= index.row() < len(self._names) or not 0 <= index.column() < 4:
            return None
        name = self._names[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(self._cell(conflict, name, index.column()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(self._cell(conflict, name, index.column())) or None
        differs = index.column() == SHOP_COLUMN and self._differs(conflict, name)
        if role == Qt.ItemDataRole.BackgroundRole and differs:
            return QBrush(DIFFERS_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and differs:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(FIELD_HEADERS)
        ):
            return FIELD_HEADERS[section]
        return None


def _explain(conflict: ConflictView | None) -> str:
    if conflict is None:
        return "Choose a conflict in the list to see its fields."
    case = f" (case {conflict.case_id})" if conflict.case_id is not None else ""
    if conflict.outcome is PushOutcome.MISSING:
        return (
            f"The shop no longer has {_what(conflict)}{case}. Keep the shop's value to drop the "
            "change; sending it again finds the row missing unless the shop restored it."
        )
    return (
        f"The shop changed {_what(conflict)}{case} after the change was made here. Keep the "
        "shop's value to drop the change, or send it again: it is checked against what the shop "
        "has now, so a further change in the shop makes a new conflict."
    )


def _table(name: str, accessible: str, model: QAbstractTableModel) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab leaves the table, to the buttons
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class ConflictsDialog(QDialog):
    """Open conflicts and, for the selected one, its fields and the two ways to settle it."""

    loaded = Signal(int)  # how many open conflicts are shown
    settled = Signal(int)  # the id of the conflict just settled
    failed = Signal(str)

    def __init__(
        self,
        backend: ConflictBackend,
        session: Session,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        self._busy = False
        # Only the newest read is shown (each read is audited: none is cancelled).
        self._loads = LatestRequest(runner)
        self.setObjectName("conflictsDialog")
        self.setWindowTitle("Sync conflicts")
        self.resize(960, 560)

        intro = QLabel(
            "The shop refused these changes: it held another value than the one seen here, or "
            "no longer had the record. Nothing was overwritten. Settle each one."
        )
        intro.setWordWrap(True)

        self.model = ConflictTableModel(self)
        self.table = _table("conflictsTable", "Open conflicts", self.model)
        self.table.activated.connect(self._activated)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(
            FIELDS_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        list_label = QLabel("&Open conflicts:")
        list_label.setBuddy(self.table)

        self.fields_model = ConflictFieldsModel(self)
        self.fields_table = _table(
            "conflictFields", "Fields of the selected conflict", self.fields_model
        )
        self.fields_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.fields_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for column in range(1, len(FIELD_HEADERS)):
            self.fields_table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch
            )
        self.explain_label = DataLabel(_explain(None), multiline=True)
        self.explain_label.setObjectName("conflictExplain")
        self.explain_label.setWordWrap(True)

        self.keep_button = QPushButton("&Keep the shop's value")
        self.keep_button.setObjectName("keepShopButton")
        self.keep_button.setToolTip("Drop the change; the shop keeps what it has (Alt+K)")
        self.keep_button.clicked.connect(lambda: self.settle(Resolution.KEEP_SHOP))
        self.send_button = QPushButton("&Send my change again")
        self.send_button.setObjectName("sendMineButton")
        self.send_button.setToolTip(
            "Queue the change again, checked against the shop's value now; the next sync "
            "sends it (Alt+S)"
        )
        self.send_button.clicked.connect(lambda: self.settle(Resolution.APPLY_MINE))
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setObjectName("reloadButton")
        self.reload_button.setToolTip("Read the open conflicts again (F5)")
        self.reload_button.clicked.connect(self.load)
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.clicked.connect(self.reject)
        for button in (self.keep_button, self.send_button, self.reload_button, self.close_button):
            # No default button: Enter in the list must not settle anything. Enter on a
            # focused button presses it (keyPressEvent).
            button.setAutoDefault(False)
        QShortcut(QKeySequence("F5"), self, self.load)

        self.message_label = DataLabel()
        self.message_label.setObjectName("conflictsMessage")
        self.message_label.setAccessibleName("Conflicts status")
        self.message_label.setWordWrap(True)

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        fields_label = QLabel("Fields of the selected conflict:")
        details_layout.addWidget(fields_label)
        details_layout.addWidget(self.explain_label)
        details_layout.addWidget(self.fields_table, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(list_label)
        top_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(top)
        split.addWidget(details)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.send_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._selection_changed)
        self.setTabOrder(self.table, self.keep_button)
        self.setTabOrder(self.keep_button, self.send_button)
        self.setTabOrder(self.send_button, self.reload_button)
        self.setTabOrder(self.reload_button, self.close_button)
        self.table.setFocus()
        self._update_buttons()

    # --- reading -----------------------------------------------------------------------------

    def selected(self) -> ConflictView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.conflict_at(rows[0].row()) if rows else None

    def load(self) -> None:
        """Read the open conflicts on the runner (the service audits the look)."""
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> list[ConflictView]:
            return backend.open(session)

        self._set_busy(True)
        self.message_label.setText("Reading the open conflicts…")
        self._loads.submit(
            run, name="conflicts_open", on_finished=self._loaded, on_failed=self._failed
        )

    def _loaded(self, conflicts: list[ConflictView]) -> None:
        keep = self.selected()
        self.model.set_conflicts(conflicts)
        self._set_busy(False)
        row = self.model.row_of(keep.conflict_id) if keep is not None else -1
        self._select(max(row, 0))
        self.message_label.setText(self._count_text())
        self.loaded.emit(len(conflicts))

    def _count_text(self) -> str:
        count = self.model.rowCount()
        if count == 0:
            return "No open conflicts."
        return f"{count} open conflict{'s' if count != 1 else ''}, oldest first."

    def _select(self, row: int) -> None:
        if self.model.rowCount() == 0:
            self.fields_model.set_conflict(None)
            self.explain_label.setText("Nothing to settle.")
            self._update_buttons()
            return
        row = min(row, self.model.rowCount() - 1)
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        conflict = self.selected()
        self.fields_model.set_conflict(conflict)
        self.explain_label.setText(_explain(conflict))
        self._update_buttons()

    def _activated(self, _index: QModelIndex) -> None:
        # After the key event is done: moved now, the same Enter would reach the dialog with
        # the button focused and press it.
        QTimer.singleShot(0, self, self._focus_buttons)

    def _focus_buttons(self) -> None:
        if self.keep_button.isEnabled():
            self.keep_button.setFocus()

    # --- settling ----------------------------------------------------------------------------

    def settle(self, resolution: Resolution) -> None:
        conflict = self.selected()
        if conflict is None or self._busy:
            return
        backend, session, conflict_id = self._backend, self._session, conflict.conflict_id

        def run(_ctx: TaskContext) -> tuple[int, Resolution, int | None]:
            return conflict_id, resolution, backend.settle(session, conflict_id, resolution)

        self._set_busy(True)
        self.message_label.setText(f"Settling conflict {conflict_id}…")
        self._runner.submit(
            run, name="conflicts_settle", on_finished=self._settled, on_failed=self._failed
        )

    def _settled(self, result: tuple[int, Resolution, int | None]) -> None:
        conflict_id, resolution, _new_id = result
        row = self.model.row_of(conflict_id)
        self.model.remove(conflict_id)
        self._set_busy(False)
        self._select(max(row, 0))
        if resolution is Resolution.KEEP_SHOP:
            done = f"Conflict {conflict_id} settled: the shop keeps its value."
        else:
            done = f"Conflict {conflict_id} settled: the change goes to the shop at the next sync."
        self.message_label.setText(f"{done} {self._count_text()}")
        self.table.setFocus()
        self.settled.emit(conflict_id)

    def note_open_count(self, count: int) -> bool:
        """The number of open conflicts the cache holds now (the status bar's, after a sync).
        If it differs from the list shown, say so; True if the list is out of date."""
        if not self.isVisible() or self._busy:
            return False
        shown = self.model.rowCount()
        if count == shown or (shown >= OPEN_LIMIT and count >= shown):
            return False
        self.message_label.setText(
            f"The open conflicts changed since this list was read (a sync, or another desk): "
            f"{count} now, {shown} listed. Press F5 to read them again."
        )
        return True

    def _failed(self, failure: TaskFailure) -> None:
        self._set_busy(False)
        self.message_label.setText(failure.message)
        self.failed.emit(failure.message)

    # --- state -------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        can_settle = not self._busy and self.selected() is not None
        self.keep_button.setEnabled(can_settle)
        self.send_button.setEnabled(can_settle)
        self.reload_button.setEnabled(not self._busy)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A dialog presses its default button on Enter; here that would settle a conflict from
        # the list by accident. So there is none, and Enter presses only a focused button.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)
