"""The search field and its results table: search as you type, off the UI thread.

A search runs on the task runner after a short pause in typing (debounce). The searches go
through one ``LatestRequest``: each edit makes the one in flight stale (and cancels it), so a
slow search for "ann" can never overwrite the results for "anna smith". A result set that stayed
on screen for ``settle_ms`` (or that the rep opened a customer from) is *settled*: ``settled`` is
emitted once for it, and the window audits it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.customers import CustomerHit
from csconsole.domain.lookup import ParsedQuery
from csconsole.services.search import SearchService
from csconsole.ui.plain_text import DataLabel
from csconsole.ui.results_model import ResultsModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

DEBOUNCE_MS = 120
SETTLE_MS = 1500
PLACEHOLDER = "Name, email, phone, order number or postcode"


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    query: ParsedQuery
    hits: list[CustomerHit]
    elapsed_ms: float


class SearchField(QLineEdit):
    """Down goes to the results, Enter searches now, Escape clears."""

    down_pressed = Signal()
    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Down and not event.modifiers():
            self.down_pressed.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        if key == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class ResultsTable(QTableView):
    """Enter or double-click opens the current row; Escape (or Up on the first row) goes back."""

    open_requested = Signal(int)
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(self._double_clicked)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = self.currentIndex()
            if current.isValid():
                self.open_requested.emit(current.row())
            return
        if key == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return
        if key == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.back_requested.emit()
            return
        super().keyPressEvent(event)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(index.row())


class SearchPanel(QWidget):
    open_requested = Signal(object)  # CustomerHit
    results_shown = Signal(int, float)  # count, milliseconds
    search_failed = Signal(str)
    settled = Signal(object, object)  # ParsedQuery, list[CustomerHit]

    def __init__(
        self,
        search: SearchService,
        runner: TaskRunner,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        settle_ms: int = SETTLE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._searches = LatestRequest(runner, cancel_stale=True)
        self._shown: SearchOutcome | None = None
        self._shown_generation = -1  # the searches' generation the shown results belong to
        self._shown_settled = True

        self.search_field = SearchField()
        self.search_field.setObjectName("searchField")
        self.search_field.setPlaceholderText(f"{PLACEHOLDER}  (Ctrl+K)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Customer search")
        self.search_field.setAccessibleDescription(
            "Type what the caller says; results update as you type."
        )
        self.search_field.setToolTip(
            "Find a customer by name, email, phone, order number or postcode (Ctrl+K).\n"
            "Down: go to the results. Enter: search now. Escape: clear."
        )
        font = self.search_field.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.search_field.setFont(font)

        self.model = ResultsModel(self)
        self.table = ResultsTable()
        self.table.setObjectName("resultsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Search results")
        self.table.setToolTip(
            "Enter or double-click: open the customer. Escape: back to the search field."
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setHighlightSections(False)

        self.hint = DataLabel()  # the hint may repeat what was typed
        self.hint.setObjectName("searchHint")
        self.hint.setAccessibleName("Search status")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_field)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)

        self.debounce_timer = QTimer(self)
        self.debounce_timer.setSingleShot(True)
        self.debounce_timer.setInterval(debounce_ms)
        self.debounce_timer.timeout.connect(self._start_search)
        self.settle_timer = QTimer(self)
        self.settle_timer.setSingleShot(True)
        self.settle_timer.setInterval(settle_ms)
        self.settle_timer.timeout.connect(self.flush_settled)

        self.search_field.textChanged.connect(self._text_changed)
        self.search_field.down_pressed.connect(self.focus_results)
        self.search_field.enter_pressed.connect(self._enter_in_field)
        self.table.open_requested.connect(self._open_row)
        self.table.back_requested.connect(self.focus_search)
        self._set_hint("")

    # --- what the window and tests use -------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        """A search is waiting for the pause or running."""
        return self.debounce_timer.isActive() or self._searches.in_flight

    @property
    def shown(self) -> SearchOutcome | None:
        return self._shown

    @property
    def shows_latest(self) -> bool:
        """The results on screen are those of the text in the field now."""
        return self._shown is not None and self._shown_generation == self._searches.generation

    @property
    def dropped_stale(self) -> int:
        """Search results that arrived after the text had changed, and were not shown."""
        return self._searches.dropped

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def focus_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else 0
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def flush_settled(self) -> None:
        """Emit ``settled`` for the results on screen, once."""
        self.settle_timer.stop()
        if self._shown is not None and not self._shown_settled:
            self._shown_settled = True
            self.settled.emit(self._shown.query, list(self._shown.hits))

    # --- searching ---------------------------------------------------------------------------

    def _text_changed(self, _text: str) -> None:
        self._searches.supersede()
        if not self.search_field.text().strip():
            self.debounce_timer.stop()
            self._show(None)
            return
        self.debounce_timer.start()

    def _enter_in_field(self) -> None:
        if self.debounce_timer.isActive():
            self.debounce_timer.stop()
            self._start_search()
        elif self.shows_latest:
            self.focus_results()

    def _start_search(self) -> None:
        text, search = self.search_field.text(), self._search

        def run(ctx: TaskContext) -> SearchOutcome:
            ctx.check_cancelled()
            started = time.perf_counter()
            query = search.parse(text)
            hits = search.search(text)
            return SearchOutcome(query, hits, (time.perf_counter() - started) * 1000)

        self._searches.submit(run, name="search", on_finished=self._show, on_failed=self._failed)

    def _failed(self, failure: TaskFailure) -> None:
        self._set_hint("Search failed.")
        self.search_failed.emit(failure.message)

    def _show(self, outcome: SearchOutcome | None) -> None:
        self.settle_timer.stop()
        self._shown = outcome
        self._shown_generation = self._searches.generation
        self._shown_settled = outcome is None
        hits = outcome.hits if outcome is not None else []
        had_focus = self.table.hasFocus()
        self.model.set_hits(hits)
        if hits:
            self.table.resizeColumnsToContents()
            if had_focus:
                self.focus_results()
        if outcome is None:
            self._set_hint("")
            self.results_shown.emit(-1, 0.0)
            return
        count = len(hits)
        if count == 0:
            self._set_hint(
                "No customer found. Try fewer letters, the phone's last digits, or the email."
            )
        else:
            noun = "result" if count == 1 else "results"
            self._set_hint(f"{count} {noun}. Down: go to the results; Enter opens one.")
        self.results_shown.emit(count, outcome.elapsed_ms)
        self.settle_timer.start()

    def _open_row(self, row: int) -> None:
        hit = self.model.hit(row)
        if hit is None:
            return
        self.flush_settled()
        self.open_requested.emit(hit)

    def _set_hint(self, text: str) -> None:
        self.hint.setText(
            text or "Type what the caller says: name, email, phone, order number or postcode."
        )
