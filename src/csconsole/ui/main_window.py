"""The console window: search on the left, the customer on screen and their case on the right,
the call context's header above them, a lock screen over everything after a pause. Every cache
access runs on the task runner.

The call context (``ui/workspace/call_context.py``) is the customer on screen, their active case
and its verification; every action acts on it. What belongs to the signed-in person (the Cases
menu, the lock screen, what the role may) is installed by ``_install_session_features`` and
removed by ``_remove_session_features``, so Console ▸ Sign out (Ctrl+Shift+O) hands the same
window to the next person.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.cases import CaseRecord
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
from csconsole.ui.shortcuts_sheet import install_help_menu
from csconsole.ui.sign_in_dialog import SignInDialog
from csconsole.ui.supervisor_queue import Supervision, install_supervision
from csconsole.ui.sync_status import (
    SyncController,
    SyncOutcome,
    SyncStatusWidget,
    attach_sync_status,
)
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskHandle, TaskRunner
from csconsole.ui.workspace.call_context import CallContext, CallState, ContextMismatch
from csconsole.ui.workspace.call_header import CallHeader
from csconsole.ui.workspace.case_pane import CasePane

CHANNEL = "ui"
SIGNED_OUT_BY_SYNC = (
    "Your staff account was changed by the last sync (central ledger); sign in again."
)
SIGNED_OUT_TEXT = "Signed out. The next person signs in to use the console."


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
        self._pending_case: CaseRecord | None = None
        self._view_session: Session | None = None
        self._shown_verification: tuple[bool, str | None, int | None] | None = None
        self.setObjectName("mainWindow")
        self.resize(1180, 720)

        # The call: one customer, their case, its verification (every action acts on it).
        self.context = CallContext(self)
        self.call_header = CallHeader()
        self.search_panel = SearchPanel(
            console.search,
            runner,
            gate=self._search_gate,
            debounce_ms=debounce_ms,
            settle_ms=settle_ms,
        )
        self.customer_panel = self._build_customer_view()
        self.case_pane = CasePane(
            console.cases, console.verification, session, runner, self.context
        )
        self.call_split = QSplitter(Qt.Orientation.Horizontal)
        self.call_split.setObjectName("callSplit")
        self.call_split.setChildrenCollapsible(False)
        self.call_split.addWidget(self.customer_panel)
        self.call_split.addWidget(self.case_pane)
        self.content = QSplitter(Qt.Orientation.Horizontal)
        self.content.setObjectName("content")
        self.content.setChildrenCollapsible(False)
        self.content.addWidget(self.search_panel)
        self.content.addWidget(self.call_split)
        self.content.setStretchFactor(0, 2)
        self.content.setStretchFactor(1, 3)
        self.workspace_page = QWidget()
        self.workspace_page.setObjectName("workspacePage")
        page_layout = QVBoxLayout(self.workspace_page)
        page_layout.setContentsMargins(8, 8, 8, 8)
        page_layout.addWidget(self.call_header)
        page_layout.addWidget(self.content, 1)
        self.context.changed.connect(self._context_changed)

        self.signed_out_page = QLabel(SIGNED_OUT_TEXT)
        self.signed_out_page.setObjectName("signedOutPage")
        self.signed_out_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.workspace_page)
        self.stack.addWidget(self.signed_out_page)
        self.setCentralWidget(self.stack)
        self.lock_screen: LockScreen | None = None
        self.sign_in_dialog: SignInDialog | None = None

        self.user_label = QLabel()
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

        self.find_action = QAction("&Find customer", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+K"))
        self.find_action.setToolTip("Go to the search field (Ctrl+K)")
        self.find_action.triggered.connect(self.search_panel.focus_search)
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setToolTip("Lock the console now (Ctrl+L)")
        self.lock_action.triggered.connect(self.lock)
        self.sign_out_action = QAction("Sign &out", self)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.sign_out_action.setToolTip(
            "Sign out without quitting; the next person signs in on this window (Ctrl+Shift+O)"
        )
        self.sign_out_action.triggered.connect(self.sign_out)
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
        menu.addAction(self.sign_out_action)
        menu.addAction(self.quit_action)
        self.console_menu = menu
        for action in (
            self.find_action,
            self.lock_action,
            self.sync_action,
            self.cancel_sync_action,
            self.conflicts_action,
            self.sign_out_action,
            self.quit_action,
        ):
            self.addAction(action)
        # Cases, caller verification, the audit browser (ui/casework_menu.py): per person.
        self.casework: CaseworkMenu | None = None

        self.search_panel.open_requested.connect(self.open_hit)
        self.search_panel.results_shown.connect(self._results_shown)
        self.search_panel.search_failed.connect(self._show_problem)
        self.search_panel.settled.connect(self._audit_search)

        if idle_timeout_ms is None:
            idle_timeout_ms = minutes_to_ms(console.settings.idle_lock_minutes)
        self.idle = IdleWatcher(idle_timeout_ms, self, timer=idle_timer)
        self.idle.idle.connect(self.lock)
        self.supervision: Supervision | None = None
        self._install_session_features()
        self.idle.start()
        self.search_panel.search_field.setFocus()
        self.help_menu = install_help_menu(self)  # Help ▸ Keyboard shortcuts (F1); stays last

    # --- the signed-in person's features -----------------------------------------------------

    def _build_customer_view(self) -> Customer360View:
        """The customer view of the signed-in person (summary, show_loading, show_summary,
        show_error, set_verification); rebuilt for each person, since it reads as them."""
        self._view_session = self.session
        return Customer360View(self.console, self.session, self._runner)

    def _install_session_features(self) -> None:
        """What the signed-in person (``self.session``) gets: title, status bar name, the lock
        screen only they can unlock, the Cases menu, and what their role may (conflicts).
        Other features hook in here."""
        session = self.session
        staff = session.staff
        self.setWindowTitle(f"csconsole — {staff.display_name} ({staff.role.value})")
        self.user_label.setText(f"Signed in: {staff.display_name} ({staff.role.value})")
        self.lock_screen = LockScreen(self._runner, self.console.auth, session)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.quit_requested.connect(self.close)
        self.stack.addWidget(self.lock_screen)
        may_settle = self._may_settle_conflicts()
        self.conflicts_action.setVisible(may_settle)
        self.conflicts_action.setEnabled(may_settle)
        self.case_pane.set_session(session)
        if self._view_session is not session:
            old_view = self.customer_panel
            self.customer_panel = self._build_customer_view()
            self.call_split.replaceWidget(0, self.customer_panel)
            old_view.hide()
            old_view.deleteLater()
            self._shown_verification = None
        self.casework = CaseworkMenu(
            self,
            self.console,
            session,
            self._runner,
            context=self.context,
            case_pane=self.case_pane,
        )
        self.casework.case_requested.connect(self.open_case_in_context)
        self.supervision = install_supervision(self)  # reviewers' queue (Ctrl+Shift+W)

    def _remove_session_features(self) -> None:
        """Undo ``_install_session_features``: nothing of the person who signed out stays on
        screen (the context, the customer, the case windows)."""
        if self.casework is not None:
            self.casework.uninstall()
            self.casework = None
        if self.supervision is not None:
            self.supervision.uninstall()
            self.supervision = None
        if self.lock_screen is not None:
            self.stack.removeWidget(self.lock_screen)
            self.lock_screen.deleteLater()
            self.lock_screen = None
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.hide()
            self.conflicts_dialog.deleteLater()
            self.conflicts_dialog = None
        self.conflicts_action.setVisible(False)
        self.conflicts_action.setEnabled(False)
        if self._opening is not None and not self._opening.is_done:
            self._opening.cancel()
        self._pending_case = None
        self.context.clear()
        self.customer_panel.show_error(SIGNED_OUT_TEXT)
        self.search_panel.search_field.clear()
        self.user_label.setText("Signed out")
        self.setWindowTitle("csconsole — signed out")

    # --- signing out -------------------------------------------------------------------------

    @property
    def is_signed_out(self) -> bool:
        return self.stack.currentWidget() is self.signed_out_page

    def sign_out(self) -> SignInDialog | None:
        """Sign the person out (audited) without quitting, and ask the next one to sign in on
        this window. None if nobody is signed in (or the window is locked)."""
        if self.is_signed_out or self.is_locked:
            return None
        self.search_panel.flush_settled()  # the last search is audited under its searcher
        auth, session = self.console.auth, self.session

        def run(_ctx: TaskContext) -> None:
            auth.sign_out(session)

        self._runner.submit(run, name="sign_out", on_failed=self._sign_out_failed)
        self.idle.stop()
        self._remove_session_features()
        self.stack.setCurrentWidget(self.signed_out_page)
        for action in (self.find_action, self.lock_action, self.sync_action, self.sign_out_action):
            action.setEnabled(False)
        dialog = SignInDialog(self._runner, lambda: auth, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.signed_in.connect(self._signed_in_again)
        dialog.rejected.connect(self._sign_in_cancelled)
        self.sign_in_dialog = dialog
        dialog.show()
        return dialog

    def _sign_out_failed(self, failure: TaskFailure) -> None:
        self._show_problem(
            f"The sign-out could not be recorded in the audit trail: {failure.message}"
        )

    def _signed_in_again(self, session: Session) -> None:
        self.session = session
        self.sign_out_reason = None
        self._install_session_features()
        self.stack.setCurrentWidget(self.workspace_page)
        for action in (self.find_action, self.lock_action, self.sign_out_action):
            action.setEnabled(True)
        self.sync_action.setEnabled(self.console.sync.connected)
        dialog = self.sign_in_dialog
        self.sign_in_dialog = None
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()
        self.customer_panel.show_error("No customer open. Find one with the search (Ctrl+K).")
        self.idle.start()
        self.search_panel.focus_search()

    def _sign_in_cancelled(self) -> None:
        if self.is_signed_out:
            self.close()  # nobody signs in: quit as a cancelled first sign-in does

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
        if self.sign_out_reason is not None or self.is_signed_out:
            return False  # nobody signed in: nothing to check
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
        return self.lock_screen is not None and self.stack.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.is_locked or self.is_signed_out or self.lock_screen is None:
            return
        self.idle.stop()
        self.stack.setCurrentWidget(self.lock_screen)
        for action in (self.find_action, self.lock_action, self.sync_action):
            action.setEnabled(False)
        self.conflicts_action.setEnabled(False)
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.hide()  # it shows personal data
        self.results_label.setText("Locked")
        self.sign_out_action.setEnabled(False)
        if self.casework is not None:
            self.casework.set_locked(True)
        self.lock_screen.reset()

    def unlock(self) -> None:
        self.stack.setCurrentWidget(self.workspace_page)
        for action in (self.find_action, self.lock_action, self.sign_out_action):
            action.setEnabled(True)
        self.sync_action.setEnabled(self.console.sync.connected)
        self.conflicts_action.setEnabled(self._may_settle_conflicts())
        self.results_label.clear()
        if self.casework is not None:
            self.casework.set_locked(False)
        self.idle.start()
        self.search_panel.focus_search()

    # --- opening a customer ------------------------------------------------------------------

    def _current_customer(self) -> tuple[int, str] | None:
        customer = self.context.state.customer
        return (customer.customer_id, customer.name) if customer is not None else None

    def open_hit(self, hit: CustomerHit) -> None:
        self._open_customer(hit.customer_id, hit.name, None)

    def open_case_in_context(self, case: CaseRecord) -> None:
        """Bring ``case`` and its customer into the call context (the case list's Enter)."""
        state = self.context.state
        if case.customer_id == state.customer_id and (
            case.customer_id is None or not self._is_opening()
        ):
            if case.customer_id is None:
                self._pending_case = None
                self.customer_panel.show_error("This case is about no known customer.")
            self.context.set_case(case)
            return
        if case.customer_id is None:
            self._cancel_opening()
            self.context.clear()
            self.customer_panel.show_error("This case is about no known customer.")
            self.context.set_case(case)
            return
        self._open_customer(case.customer_id, case.customer_name or "the customer", case)

    def _is_opening(self) -> bool:
        return self._opening is not None and not self._opening.is_done

    def _cancel_opening(self) -> None:
        if self._opening is not None and not self._opening.is_done:
            self._opening.cancel()
        self._pending_case = None

    def _open_customer(self, customer_id: int, name: str, case: CaseRecord | None) -> None:
        customers, session = self.console.customers, self.session

        def run(_ctx: TaskContext) -> CustomerSummary | None:
            return customers.open_customer(session, customer_id, CHANNEL)

        self._cancel_opening()
        self._pending_case = case
        if self.context.state.customer_id != customer_id:
            # Another customer: the whole context goes now, not when the new one arrives, so
            # no action can reach the old customer's case meanwhile.
            self.context.clear()
        self.customer_panel.show_loading(name)
        self._opening = self._runner.submit(
            run, name="open_customer", on_finished=self._opened, on_failed=self._open_failed
        )

    def _opened(self, summary: CustomerSummary | None) -> None:
        pending, self._pending_case = self._pending_case, None
        if summary is None:
            self.context.clear()
            self.customer_panel.show_error(
                "This customer is no longer in the local cache (removed by the last sync)."
            )
            return
        self.context.set_customer(summary)
        self.customer_panel.show_summary(summary)
        if pending is not None:
            with contextlib.suppress(
                ContextMismatch
            ):  # cannot happen: the pending case is this customer's
                self.context.set_case(pending)

    def _context_changed(self, state: CallState) -> None:
        self.call_header.show_state(state)
        view = self.customer_panel
        verification = state.verification
        verified = state.verified
        level = verification.level.value if verification is not None and verified else None
        shown = (verified, level, state.case_id if verified else None)
        if shown != self._shown_verification:
            self._shown_verification = shown
            view.set_verification(verified, level, shown[2])  # unmasked once verified

    def _open_failed(self, failure: TaskFailure) -> None:
        self.customer_panel.show_error(f"The customer could not be opened: {failure.message}")

    def _search_gate(self, query: ParsedQuery) -> None:
        """On the worker, before each search: a person the tripwire stopped searches names only."""
        self.console.customers.refuse_if_stopped(self.session, query)

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
