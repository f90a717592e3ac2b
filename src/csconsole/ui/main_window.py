"""The console window: search on the left, the opened customer on the right, a lock screen over
both after a pause. Every cache access runs on the task runner."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from csconsole.domain.customers import CustomerHit, CustomerSummary
from csconsole.domain.lookup import ParsedQuery
from csconsole.domain.staff import Permission
from csconsole.services.auth import Session
from csconsole.sync.status import SyncStatus
from csconsole.ui.casework_menu import CaseworkMenu
from csconsole.ui.conflicts_dialog import ConflictsDialog
from csconsole.ui.console_like import ConsoleLike
from csconsole.ui.customer360 import Customer360View
from csconsole.ui.idle_lock import IdleWatcher, LockScreen, minutes_to_ms
from csconsole.ui.search_panel import DEBOUNCE_MS, SETTLE_MS, SearchPanel
from csconsole.ui.sync_status import (
    SyncController,
    SyncOutcome,
    SyncStatusWidget,
    attach_sync_status,
)
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskHandle, TaskRunner

CHANNEL = "ui"
SIGNED_OUT_BY_SYNC = (
    "Your staff account was changed by the last sync (central ledger); sign in again."
)


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        console: ConsoleLike,
        session: Session,
        runner: TaskRunner,
        *,
        idle_timeout_ms: int | None = None,
        idle_timer: QTimer | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        settle_ms: int = SETTLE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.session = session
        self._runner = runner
        self._opening: TaskHandle | None = None
        self.audited_searches = 0
        staff = session.staff
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"csconsole — {staff.display_name} ({staff.role.value})")
        self.resize(1180, 720)

        self.search_panel = SearchPanel(
            console.search, runner, debounce_ms=debounce_ms, settle_ms=settle_ms
        )
        self.customer_panel = Customer360View(console, session, runner)
        self.content = QSplitter(Qt.Orientation.Horizontal)
        self.content.setObjectName("content")
        self.content.setChildrenCollapsible(False)
        self.content.addWidget(self.search_panel)
        self.content.addWidget(self.customer_panel)
        self.content.setStretchFactor(0, 3)
        self.content.setStretchFactor(1, 2)
        self.content.setContentsMargins(8, 8, 8, 8)

        self.lock_screen = LockScreen(runner, console.auth, session)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        self.user_label = QLabel(f"Signed in: {staff.display_name} ({staff.role.value})")
        self.user_label.setObjectName("userLabel")
        self.user_label.setAccessibleName("Signed-in user")
        self.results_label = QLabel()
        self.results_label.setObjectName("resultsLabel")
        self.results_label.setAccessibleName("Search result count and time")
        self.statusBar().addWidget(self.results_label, 1)
        self.statusBar().addPermanentWidget(self.user_label)
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.setToolTip("Sync the local cache with the shop database now (F5)")
        self.sync_action.setEnabled(False)
        self.cancel_sync_action = QAction("Cancel s&ync", self)
        self.cancel_sync_action.setShortcut(QKeySequence("Shift+F5"))
        self.cancel_sync_action.setToolTip("Stop the running sync; the cache keeps what it had")
        connected = console.sync.connected
        self.sync_controller = SyncController(
            console.sync.run, console.sync.status, auto=connected, parent=self
        )
        self.sync_widget: SyncStatusWidget = attach_sync_status(self, self.sync_controller)
        self.sync_action.triggered.connect(lambda: self.start_sync())
        self.cancel_sync_action.triggered.connect(self.sync_controller.cancel)
        self.sync_action.setEnabled(connected)
        # A sync may re-key, deactivate or change the signed-in person (shared staff replication):
        # after each good one the session is checked, and a stale one signs the person out.
        self.sign_out_reason: str | None = None
        self._checking_session: TaskHandle | None = None
        # An action refused with SessionEnded (services.audit.record) makes the same check
        # at once, before any sync finished.
        runner.session_ended.connect(self._session_ended)
        self.sync_controller.finished.connect(self._sync_finished)
        self.sync_controller.status_changed.connect(self._sync_status_changed)
        # Those who may review (supervisors, admins) settle push conflicts
        # (ui/conflicts_dialog.py); the action is hidden from everyone else.
        self.conflicts_dialog: ConflictsDialog | None = None
        self.conflicts_action = QAction("Sync &conflicts…", self)
        self.conflicts_action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.conflicts_action.setToolTip(
            "Settle the changes the shop refused: keep its value or send yours again (Ctrl+Shift+Y)"
        )
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self.conflicts_action.setVisible(self._may_settle_conflicts())
        self.conflicts_action.setEnabled(self._may_settle_conflicts())

        self.find_action = QAction("&Find customer", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+K"))
        self.find_action.setToolTip("Go to the search field (Ctrl+K)")
        self.find_action.triggered.connect(self.search_panel.focus_search)
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip("Lock the console now (Ctrl+L)")
        self.lock_action.triggered.connect(self.lock)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setToolTip("Quit (Ctrl+Q)")
        self.quit_action.triggered.connect(self.close)
        menu = self.menuBar().addMenu("&Console")
        menu.addAction(self.find_action)
        menu.addAction(self.lock_action)
        menu.addSeparator()
        menu.addAction(self.sync_action)
        menu.addAction(self.cancel_sync_action)
        menu.addAction(self.conflicts_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        for action in (
            self.find_action,
            self.lock_action,
            self.sync_action,
            self.cancel_sync_action,
            self.conflicts_action,
            self.quit_action,
        ):
            self.addAction(action)
        # Cases, caller verification, the audit browser (ui/casework_menu.py).
        self.casework = CaseworkMenu(
            self, console, session, runner, current_customer=self._current_customer
        )

        self.search_panel.open_requested.connect(self.open_hit)
        self.search_panel.results_shown.connect(self._results_shown)
        self.search_panel.search_failed.connect(self._show_problem)
        self.search_panel.settled.connect(self._audit_search)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.quit_requested.connect(self.close)

        if idle_timeout_ms is None:
            idle_timeout_ms = minutes_to_ms(console.settings.idle_lock_minutes)
        self.idle = IdleWatcher(idle_timeout_ms, self, timer=idle_timer)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        self.search_panel.search_field.setFocus()

    # --- sync with the shop ---------------------------------------------------------------

    def start_sync(self) -> bool:
        if self.is_locked:
            return False
        return self.sync_controller.start()

    def _may_settle_conflicts(self) -> bool:
        return self.session.may(Permission.REVIEW)

    def show_conflicts(self) -> ConflictsDialog | None:
        if self.is_locked or not self._may_settle_conflicts():
            return None
        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(
                self.console.conflicts, self.session, self._runner, self
            )
            self.conflicts_dialog.settled.connect(self._conflict_settled)
        self.conflicts_dialog.show()
        self.conflicts_dialog.activateWindow()
        self.conflicts_dialog.load()
        return self.conflicts_dialog

    def _sync_status_changed(self, status: SyncStatus) -> None:
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.note_open_count(status.conflicts)

    def _conflict_settled(self, _conflict_id: int) -> None:
        self.sync_controller.refresh_status()  # the status bar's conflict count

    # --- the signed-in person after a sync ---------------------------------------------------

    def _sync_finished(self, outcome: SyncOutcome) -> None:
        if outcome.kind == "ok":
            self.check_session()

    def _session_ended(self) -> None:
        if self.isVisible():  # the runner is shared: a closed window checks nothing
            self.check_session()

    def check_session(self) -> bool:
        """Check on the task runner that the session still matches its staff row in the cache
        (``AuthService.still_signed_in``, which audits a stale one); if not, sign the person out:
        ``sign_out_reason`` is set and the window closes. False if no check was started."""
        if self.sign_out_reason is not None:
            return False
        if self._checking_session is not None and not self._checking_session.is_done:
            return False
        auth, session = self.console.auth, self.session

        def run(_ctx: TaskContext) -> bool:
            return auth.still_signed_in(session)

        self._checking_session = self._runner.submit(
            run,
            name="check_session",
            on_finished=self._session_checked,
            on_failed=self._session_check_failed,
        )
        return True

    def _session_checked(self, valid: bool) -> None:
        if valid or self.sign_out_reason is not None or not self.isVisible():
            return
        self.sign_out_reason = SIGNED_OUT_BY_SYNC
        self.close()

    def _session_check_failed(self, failure: TaskFailure) -> None:
        self._show_problem(f"Your sign-in could not be checked after the sync: {failure.message}")

    # --- locking -----------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.is_locked:
            return
        self.idle.stop()
        self.stack.setCurrentWidget(self.lock_screen)
        for action in (self.find_action, self.lock_action, self.sync_action):
            action.setEnabled(False)
        self.conflicts_action.setEnabled(False)
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.hide()  # it shows personal data
        self.results_label.setText("Locked")
        self.casework.set_locked(True)
        self.lock_screen.reset()

    def unlock(self) -> None:
        self.stack.setCurrentWidget(self.content)
        for action in (self.find_action, self.lock_action):
            action.setEnabled(True)
        self.sync_action.setEnabled(self.console.sync.connected)
        self.conflicts_action.setEnabled(self._may_settle_conflicts())
        self.results_label.clear()
        self.casework.set_locked(False)
        self.idle.start()
        self.search_panel.focus_search()

    # --- opening a customer ------------------------------------------------------------------

    def _current_customer(self) -> tuple[int, str] | None:
        summary = self.customer_panel.summary
        return (summary.customer_id, summary.name) if summary is not None else None

    def open_hit(self, hit: CustomerHit) -> None:
        customers, session, customer_id = self.console.customers, self.session, hit.customer_id

        def run(_ctx: TaskContext) -> CustomerSummary | None:
            return customers.open_customer(session, customer_id, CHANNEL)

        if self._opening is not None and not self._opening.is_done:
            self._opening.cancel()
        self.customer_panel.show_loading(hit.name)
        self._opening = self._runner.submit(
            run, name="open_customer", on_finished=self._opened, on_failed=self._open_failed
        )

    def _opened(self, summary: CustomerSummary | None) -> None:
        if summary is None:
            self.customer_panel.show_error(
                "This customer is no longer in the local cache (removed by the last sync)."
            )
            return
        self.customer_panel.show_summary(summary)

    def _open_failed(self, failure: TaskFailure) -> None:
        self.customer_panel.show_error(f"The customer could not be opened: {failure.message}")

    # --- auditing searches -------------------------------------------------------------------

    def _audit_search(self, query: ParsedQuery, hits: list[CustomerHit]) -> None:
        customers, session = self.console.customers, self.session

        def run(_ctx: TaskContext) -> None:
            customers.record_search(session, query, hits, CHANNEL)

        self._runner.submit(
            run, name="audit_search", on_finished=self._audited, on_failed=self._audit_failed
        )

    def _audited(self, _result: object) -> None:
        self.audited_searches += 1

    def _audit_failed(self, failure: TaskFailure) -> None:
        message = failure.message
        self._show_problem(f"The search could not be recorded in the audit trail: {message}")

    # --- status ------------------------------------------------------------------------------

    def _results_shown(self, count: int, elapsed_ms: float) -> None:
        if count < 0:
            self.results_label.clear()
            return
        noun = "result" if count == 1 else "results"
        self.results_label.setText(f"{count} {noun} in {elapsed_ms:.0f} ms")

    def _show_problem(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    # --- Qt events ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._focus_search_if_unlocked)

    def _focus_search_if_unlocked(self) -> None:
        if not self.is_locked:
            self.search_panel.focus_search()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.search_panel.flush_settled()
        self.sync_controller.shutdown()
        super().closeEvent(event)
        self.closed.emit()
