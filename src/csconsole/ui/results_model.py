"""The search results as a table model over plain ``CustomerHit`` values (already masked)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from csconsole.domain.customers import CustomerHit
from csconsole.ui.plain_text import shown, tooltip_text

Index = QModelIndex | QPersistentModelIndex

# Header, and how to read the cell from a hit. The order is the column order.
COLUMNS: tuple[tuple[str, Callable[[CustomerHit], str]], ...] = (
    ("Name", lambda h: h.name),
    ("Email", lambda h: h.email_masked),
    ("Phone", lambda h: h.phone_masked),
    ("City", lambda h: h.city),
    ("Country", lambda h: h.country),
    ("Matched on", lambda h: h.matched_on.label),
)
HEADERS = tuple(header for header, _ in COLUMNS)

# The customer id of a row, for views and tests (never displayed).
CustomerIdRole = Qt.ItemDataRole.UserRole + 1


class ResultsModel(QAbstractTableModel):
    """Read-only, in the service's ranking order (exact identifiers first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[CustomerHit] = []

    def set_hits(self, hits: Sequence[CustomerHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits([])

    def hit(self, row: int) -> CustomerHit | None:
        if 0 <= row < len(self._hits):
            return self._hits[row]
        return None

    def hits(self) -> list[CustomerHit]:
        return list(self._hits)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._hits) and 0 <= column < len(COLUMNS)):
            return None
        hit = self._hits[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return shown(COLUMNS[column][1](hit))
        if role == Qt.ItemDataRole.ToolTipRole:
            header, read = COLUMNS[column]
            return tooltip_text(f"{header}: {read(hit)}") if read(hit) else None
        if role == CustomerIdRole:
            return hit.customer_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1) if 0 <= section < len(self._hits) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
