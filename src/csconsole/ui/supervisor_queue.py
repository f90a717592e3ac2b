"""The supervisor's queue (Ctrl+Shift+W): what waits on a reviewer (verification lockouts to
unlock, sync conflicts to settle, later capabilities' approvals), and its count in the status
bar, refreshed after every sync and on a timer.

The main window installs it with one call, ``install_supervision(window)``; it is offered
only to those with ``Permission.WORK_QUEUE`` (None for everyone else).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.staff import Permission
from csconsole.services.auth import Session
from csconsole.services.supervision import QueueItem, SupervisorQueue
from csconsole.services.supervision.queue import CONFLICT_KIND, LOCK_KIND
from csconsole.ui.plain_text import DataLabel
from csconsole.ui.record_table import RecordTableModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

if TYPE_CHECKING:
    from csconsole.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+W"
REFRESH_MS = 60_000  # the status bar's count, between syncs
KeyRole = Qt.ItemDataRole.UserRole + 1


class SupervisionBackend(Protocol):
    """``services.supervision.SupervisionService`` provides it."""

    def count(self, session: Session) -> int: ...

    def waiting(self, session: Session) -> SupervisorQueue: ...

    def unlock(self, session: Session, customer_id: int, reason: str) -> None: ...


COLUMNS = (
    ("Waiting since (UTC)", lambda i: i.waiting_since.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
    ("What", lambda i: i.title),
    ("Details", lambda i: i.detail),
)


class QueueModel(RecordTableModel[QueueItem]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, key_role=KeyRole, key=lambda i: (i.kind, i.key), parent=parent)


def count_text(count: int) -> str:
    return "Nothing waits on you" if count == 0 else f"Waiting on you: {count}"


class SupervisorQueueDialog(QDialog):
    loaded = Signal(int)
    unlocked = Signal(int)
    conflicts_requested = Signal()

    def __init__(
        self,
        backend: SupervisionBackend,
        session: Session,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        self._loads = LatestRequest(runner)
        self.setObjectName("supervisorQueue")
        self.setWindowTitle("Supervisor's queue")
        self.resize(820, 460)
        self.model = QueueModel(self)
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName("What waits on you, the longest waiting first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.reason_field = QLineEdit()
        self.reason_field.setObjectName("unlockReason")
        self.reason_field.setAccessibleName("Why verification may go on")
        self.reason_field.setPlaceholderText("Why verification may go on (how you checked)")
        self.reason_field.setMaxLength(500)
        self.reason_field.textChanged.connect(lambda _t: self._update_buttons())
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason_field)
        self.unlock_button = QPushButton("&Unlock verification")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName("Unlock verification of the selected customer")
        self.unlock_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.conflicts_button = QPushButton("Settle &conflicts…")
        self.conflicts_button.setObjectName("conflictsButton")
        self.conflicts_button.setAccessibleName("Open the sync conflicts")
        self.conflicts_button.setAutoDefault(False)
        self.conflicts_button.clicked.connect(self.conflicts_requested)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.setAccessibleName("Refresh the queue")
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.load)
        self.message_label = DataLabel()  # failure messages and paths are data
        self.message_label.setObjectName("queueMessage")
        self.message_label.setAccessibleName("Queue message")
        self.message_label.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(reason_label)
        actions.addWidget(self.reason_field, 1)
        actions.addWidget(self.unlock_button)
        actions.addWidget(self.conflicts_button)
        actions.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message_label)
        for first, second in (
            (self.table, self.reason_field),
            (self.reason_field, self.unlock_button),
            (self.unlock_button, self.conflicts_button),
            (self.conflicts_button, self.refresh_button),
        ):
            QWidget.setTabOrder(first, second)
        self._update_buttons()

    def selected(self) -> QueueItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        item = self.selected()
        is_lock = item is not None and item.kind == LOCK_KIND
        self.unlock_button.setEnabled(is_lock and bool(self.reason_field.text().strip()))
        self.conflicts_button.setEnabled(item is not None and item.kind == CONFLICT_KIND)

    def load(self) -> None:
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> SupervisorQueue:
            return backend.waiting(session)

        self.message_label.setText("Loading…")
        self._loads.submit(
            run, name="supervisor_queue", on_finished=self._shown, on_failed=self._failed
        )

    def _shown(self, queue: SupervisorQueue) -> None:
        self.model.set_records(queue.items)
        self.message_label.setText(count_text(queue.count))
        self._update_buttons()
        self.loaded.emit(queue.count)

    def _failed(self, failure: TaskFailure) -> None:
        self.message_label.setText(failure.message)

    def unlock_selected(self) -> None:
        item = self.selected()
        if item is None or item.kind != LOCK_KIND or item.customer_id is None:
            self.message_label.setText("Unlock: select a verification lock first.")
            return
        reason = self.reason_field.text()
        if not reason.strip():
            self.message_label.setText("Reason: say why verification may go on.")
            return
        backend, session, customer_id = self._backend, self._session, item.customer_id

        def run(_ctx: TaskContext) -> int:
            backend.unlock(session, customer_id, reason)
            return customer_id

        self._runner.submit(
            run, name="queue_unlock", on_finished=self._unlocked, on_failed=self._failed
        )

    def _unlocked(self, customer_id: int) -> None:
        self.reason_field.clear()
        self.unlocked.emit(customer_id)
        self.load()


class Supervision(QObject):
    """The action, the status bar's count and the dialog, for one signed-in reviewer."""

    count_changed = Signal(int)

    def __init__(
        self,
        window: MainWindow,
        backend: SupervisionBackend,
        *,
        timer: QTimer | None = None,
        interval_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._backend = backend
        self._session = window.session
        self._runner = window._runner  # the window's one task runner
        self._counts = LatestRequest(self._runner)
        self.count: int | None = None
        self.dialog: SupervisorQueueDialog | None = None
        self.action = QAction("Supervisor's &queue…", window)
        self.action.setObjectName("supervisorQueueAction")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(f"What waits on you: lockouts, conflicts, approvals ({SHORTCUT})")
        self.action.triggered.connect(self.show_queue)
        window.addAction(self.action)
        self.menu = window.menuBar().addMenu("Super&vision")
        self.menu.addAction(self.action)
        self.label = QLabel(count_text(0))
        self.label.setObjectName("queueCount")
        self.label.setAccessibleName("Items waiting on you")
        window.statusBar().addPermanentWidget(self.label)
        self.timer = timer or QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.refresh_count())
        self.timer.start()
        # Bound methods, not lambdas: Qt drops them with this object when its person signs out.
        window.sync_controller.finished.connect(self._sync_finished)
        # Locked (idle): the queue names customers, so it hides; the action waits.
        window.stack.currentChanged.connect(self._page_changed)
        self.refresh_count()

    def uninstall(self) -> None:
        """Take the queue off the window (its person signed out): action, menu, count, dialog."""
        self.timer.stop()
        self._window.removeAction(self.action)
        self._window.menuBar().removeAction(self.menu.menuAction())
        self._window.statusBar().removeWidget(self.label)
        self.label.deleteLater()
        self.menu.deleteLater()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.deleteLater()

    def _sync_finished(self, _outcome: object) -> None:
        self.refresh_count()

    def _page_changed(self, _index: int) -> None:
        self._lock_changed()

    def _lock_changed(self) -> None:
        locked = self._window.is_locked
        self.action.setEnabled(not locked)
        if locked and self.dialog is not None:
            self.dialog.hide()

    def refresh_count(self) -> bool:
        """Read the count on the task runner; False if not started (the window is locked)."""
        if self._window.is_locked:
            return False
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> int:
            return backend.count(session)

        self._counts.submit(
            run, name="queue_count", on_finished=self._counted, on_failed=self._count_failed
        )
        return True

    def _counted(self, count: int) -> None:
        self.count = count
        self.label.setText(count_text(count))
        self.count_changed.emit(count)

    def _count_failed(self, failure: TaskFailure) -> None:
        self.label.setText("Queue: not available")
        self.label.setToolTip(failure.message)

    def show_queue(self) -> SupervisorQueueDialog | None:
        if self._window.is_locked:
            return None
        if self.dialog is None:
            self.dialog = SupervisorQueueDialog(
                self._backend, self._session, self._runner, self._window
            )
            self.dialog.loaded.connect(self._counted)
            self.dialog.conflicts_requested.connect(self._window.show_conflicts)
        self.dialog.show()
        self.dialog.activateWindow()
        self.dialog.load()
        self.dialog.table.setFocus()
        return self.dialog


def install_supervision(
    window: MainWindow, *, timer: QTimer | None = None, interval_ms: int = REFRESH_MS
) -> Supervision | None:
    """The queue for those who may work it; None (nothing offered) for everyone else."""
    if not window.session.may(Permission.WORK_QUEUE):
        return None
    return Supervision(window, window.console.supervision, timer=timer, interval_ms=interval_ms)
