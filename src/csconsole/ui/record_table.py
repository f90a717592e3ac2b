"""A read-only table model over plain records (frozen dataclasses from the services, never ORM
objects): one row per record, one column per (header, text of the record)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from csconsole.ui.plain_text import shown, tooltip_text

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
Column = tuple[str, Callable[[R], str]]


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Display and tool tip from the column's function; ``key_role`` gives the record's key.
    Subclasses add roles in ``record_data`` (styling, more keys)."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        key_role: int,
        key: Callable[[R], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key_role = key_role
        self._key = key
        self._records: list[R] = []

    def set_records(self, records: Sequence[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record_at(self, row: int) -> R | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def records(self) -> list[R]:
        return list(self._records)

    def row_of(self, key: object) -> int:
        return next((row for row, r in enumerate(self._records) if self._key(r) == key), -1)

    def remove(self, key: object) -> None:
        row = self.row_of(key)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._records[row]
        self.endRemoveRows()

    def text(self, record: R, column: int) -> str:
        return self._columns[column][1](record)

    def record_data(self, record: R, column: int, role: int) -> object:
        """What a subclass shows beyond the text and the key (None: nothing)."""
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(self.text(record, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(self.text(record, column)) or None
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid():
            return None
        record = self.record_at(index.row())
        if record is None or not 0 <= index.column() < len(self._columns):
            return None
        if role == self._key_role:
            return self._key(record)
        return self.record_data(record, index.column(), role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section][0]
        return None
