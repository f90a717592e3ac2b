"""Background sync for the window, and its status-bar indicator.

``SyncController`` runs syncs on a thread of its own (its own ``TaskRunner``): never on the
window thread, and never on the thread that serves searches, so a sync of a million rows does
not hold up a search. It syncs on request (``start``) and on a timer: every ``interval_s``
after a good sync; after the shop could not be reached, again after a growing wait
(``OFFLINE_BACKOFF_S``), while the window keeps working from the cache and says so.

``SyncStatusWidget`` shows the last sync, what waits to be sent to the shop, conflicts, and
"Offline"; during a sync a progress bar with the stage and a Cancel button; "Sync now".

The window needs one line to show it (see ``attach_sync_status``)::

    attach_sync_status(self, SyncController(console.sync.run, console.sync.status))
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Literal, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QProgressBar,
    QToolButton,
    QWidget,
)

from csconsole.services.ports import ProgressReport
from csconsole.sync.errors import ShopOffline, SyncCancelled
from csconsole.sync.status import SyncStatus
from csconsole.ui.plain_text import DataLabel
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskHandle, TaskRunner

StatusFn = Callable[[], SyncStatus]


class SyncFn(Protocol):
    """Runs one sync on the calling thread and returns its report (``Console.sync``)."""

    def __call__(
        self,
        *,
        full: bool = False,
        progress: ProgressReport | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> object: ...


INTERVAL_S = 300
OFFLINE_BACKOFF_S: tuple[int, ...] = (30, 60, 120, 300, 900)
PROGRESS_EVERY_S = 0.1


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    kind: Literal["ok", "offline", "cancelled"]
    report: object = None  # the sync's report; the window reads only the status
    message: str = ""
    status: SyncStatus | None = None


class SyncController(QObject):
    """Runs syncs off the window thread; see the module docstring."""

    started = Signal()
    progress = Signal(str, int, int)  # stage, done, total (0: unknown)
    finished = Signal(object)  # SyncOutcome
    failed = Signal(str)  # a one-line reason
    status_changed = Signal(object)  # SyncStatus

    def __init__(
        self,
        sync_fn: SyncFn,
        status_fn: StatusFn | None = None,
        *,
        interval_s: float = INTERVAL_S,
        backoff_s: Sequence[float] = OFFLINE_BACKOFF_S,
        auto: bool = True,
        timer: QTimer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sync_fn = sync_fn
        # How often progress reaches the window is measured on this clock (tests give a fake).
        self._monotonic = monotonic
        self._status_fn = status_fn
        self._interval_ms = int(interval_s * 1000)
        self._backoff_ms = [int(s * 1000) for s in backoff_s] or [self._interval_ms]
        self._offline_streak = 0
        self._runner = TaskRunner(self)
        self._handle: TaskHandle | None = None
        self._auto = auto
        # The next scheduled sync; tests give a timer on a virtual clock.
        self._timer = timer if timer is not None else QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._scheduled)
        self.next_in_ms: int | None = None

    @property
    def running(self) -> bool:
        return self._handle is not None and not self._handle.is_done

    def start(self, *, full: bool = False) -> bool:
        """Start a sync now; False if one is already running."""
        if self.running:
            return False
        self._timer.stop()
        self.next_in_ms = None
        sync_fn, status_fn, monotonic = self._sync_fn, self._status_fn, self._monotonic

        def run(ctx: TaskContext) -> SyncOutcome:
            last = [monotonic() - PROGRESS_EVERY_S]

            def progress(stage: str, done: int, total: int) -> None:
                now = monotonic()
                if now - last[0] >= PROGRESS_EVERY_S or (total and done >= total):
                    last[0] = now
                    ctx.progress(done, total, stage)

            def cancelled() -> bool:
                return ctx.cancelled

            # A sync makes millions of short-lived objects; full collections would walk the
            # whole heap of the window each time, holding the interpreter lock the window
            # needs. What exists now is left out of them until the sync is over.
            gc.freeze()
            try:
                if full:  # a sync function that never makes full loads need not take it
                    report = sync_fn(full=True, progress=progress, cancelled=cancelled)
                else:
                    report = sync_fn(progress=progress, cancelled=cancelled)
                outcome = SyncOutcome("ok", report=report)
            except ShopOffline as offline:
                outcome = SyncOutcome("offline", message=str(offline))
            except SyncCancelled as stopped:
                outcome = SyncOutcome("cancelled", message=str(stopped))
            finally:
                gc.unfreeze()
            status = status_fn() if status_fn is not None else None
            return SyncOutcome(outcome.kind, outcome.report, outcome.message, status)

        self._handle = self._runner.submit(
            run,
            name="sync",
            on_finished=self._done,
            on_failed=self._failed,
            on_progress=self._progressed,
        )
        self._handle.cancelled.connect(self._was_cancelled)
        self.started.emit()
        return True

    def cancel(self) -> None:
        if self._handle is not None and not self._handle.is_done:
            self._handle.cancel()

    def refresh_status(self) -> None:
        """Read the status on the sync thread (it reads the cache) and emit it."""
        status_fn = self._status_fn
        if status_fn is None:
            return
        self._runner.submit(
            lambda _ctx: status_fn(), name="sync_status", on_finished=self.status_changed.emit
        )

    def schedule(self, delay_ms: int) -> None:
        if not self._auto:
            return
        self.next_in_ms = delay_ms
        self._timer.start(delay_ms)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Stop the timer, cancel a running sync, wait for the thread (at window close)."""
        self._auto = False
        self._timer.stop()
        self.cancel()
        return self._runner.shutdown(msecs)

    # --- deliveries on the window thread -----------------------------------------------

    def _scheduled(self) -> None:
        self.start()

    def _progressed(self, done: int, total: int, stage: str) -> None:
        self.progress.emit(stage, done, total)

    def _done(self, outcome: SyncOutcome) -> None:
        if outcome.kind == "offline":
            wait = self._backoff_ms[min(self._offline_streak, len(self._backoff_ms) - 1)]
            self._offline_streak += 1
            self.schedule(wait)
        else:
            self._offline_streak = 0
            self.schedule(self._interval_ms)
        if outcome.status is not None:
            self.status_changed.emit(outcome.status)
        self.finished.emit(outcome)

    def _failed(self, failure: TaskFailure) -> None:
        self._offline_streak = 0
        self.schedule(self._interval_ms)
        self.failed.emit(failure.message)
        self.refresh_status()

    def _was_cancelled(self) -> None:
        self.schedule(self._interval_ms)
        self.finished.emit(SyncOutcome("cancelled", message="cancelled"))
        self.refresh_status()


class SyncStatusWidget(QWidget):
    """The status-bar part: a status line, and while syncing a progress bar and Cancel."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.controller = controller
        self.status: SyncStatus | None = None
        self.label = DataLabel("Sync: …")  # shop and ledger errors are shown here
        self.label.setObjectName("syncStatusLabel")
        self.label.setAccessibleName("Sync status")
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.bar.setAccessibleName("Sync progress")
        self.bar.setMinimumWidth(140)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("syncCancel")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop this sync; the cache keeps what it had")
        self.cancel_button.hide()
        self.sync_button = QToolButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setText("Sync now")
        self.sync_button.setToolTip("Sync with the shop database now")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.cancel_button, self.sync_button):
            layout.addWidget(widget)
        self.cancel_button.clicked.connect(controller.cancel)
        self.sync_button.clicked.connect(lambda: controller.start())
        controller.started.connect(self._started)
        controller.progress.connect(self._progress)
        controller.finished.connect(self._finished)
        controller.failed.connect(self._failed)
        controller.status_changed.connect(self.show_status)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        if not self.controller.running:
            local = None
            if status.last_ok_at is not None:  # stored as naive UTC; the rep reads local time
                local = status.last_ok_at.replace(tzinfo=UTC).astimezone()
            self.label.setText(status.summary(local))
        self.label.setToolTip(status.last_message or "")
        self.sync_button.setEnabled(status.connected and not self.controller.running)

    def _started(self) -> None:
        self.label.setText("Syncing…")
        self.bar.setRange(0, 0)
        self.bar.setFormat("")
        self.bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.sync_button.setEnabled(False)

    def _progress(self, stage: str, done: int, total: int) -> None:
        # The stage goes in the label: inside the bar a long stage name wraps and is cut off.
        self.label.setText(f"Syncing: {stage}")
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
            self.bar.setFormat("%p%")
        else:
            self.bar.setRange(0, 0)
            self.bar.setFormat("")

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self.sync_button.setEnabled(True)

    def _finished(self, outcome: SyncOutcome) -> None:
        self._idle()
        if outcome.status is not None:
            self.show_status(outcome.status)
        elif outcome.kind == "cancelled":
            self.label.setText("Sync cancelled; the cache keeps what it had")
        if outcome.kind == "offline" and self.status is None:
            self.label.setText("Offline — working from the local cache")

    def _failed(self, message: str) -> None:
        self._idle()
        self.label.setText("Sync failed")
        self.label.setToolTip(message)


def attach_sync_status(window: QMainWindow, controller: SyncController) -> SyncStatusWidget:
    """Put the indicator in the window's status bar, read the status, and start syncing."""
    widget = SyncStatusWidget(controller, window)
    window.statusBar().addPermanentWidget(widget)
    controller.refresh_status()
    controller.schedule(2_000)
    return widget
