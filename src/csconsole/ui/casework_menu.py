"""The Cases menu: every action acts on the call context (``ui/workspace/call_context.py``):
open a case for the customer on screen, the case list, verify the caller of the context's case
(inline in the case pane), the customer's unmasked data and (supervisors) the audit browser.

The main window installs it per signed-in person (``MainWindow._install_session_features``)::

    self.casework = CaseworkMenu(self, console, session, runner,
                                 context=self.context, case_pane=self.case_pane)

Shortcuts: Ctrl+N opens a case for the customer on screen; Ctrl+Shift+C shows the case list
(Enter on a case opens it and its customer into the context); Ctrl+Shift+V verifies the caller
of the context's case; Ctrl+Shift+N writes a note on it; Ctrl+Shift+A shows the audit browser
(supervisors). ``uninstall()`` removes the menu and its actions (sign-out).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QMessageBox, QVBoxLayout, QWidget

from csconsole.domain.cases import CaseRecord
from csconsole.domain.staff import Permission
from csconsole.domain.unmasking import UnmaskedCustomer
from csconsole.services.auth import Session
from csconsole.ui.audit_browser import AuditBrowser
from csconsole.ui.case_list import CaseListWidget
from csconsole.ui.console_like import CaseworkConsole
from csconsole.ui.open_case_dialog import OpenCaseDialog
from csconsole.ui.tasks import TaskContext, TaskFailure, TaskRunner
from csconsole.ui.unmasked_dialog import UnmaskedCustomerDialog
from csconsole.ui.verification_panel import VerificationPanel
from csconsole.ui.workspace.call_context import CallContext, ContextMismatch
from csconsole.ui.workspace.case_pane import CasePane


def _wrap(widget: QWidget, parent: QWidget, title: str, name: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.resize(900, 520)
    layout = QVBoxLayout(dialog)
    layout.addWidget(widget)
    return dialog


class CaseworkMenu(QObject):
    """Emits ``case_requested(CaseRecord)`` when the rep opens a case from the case list: the
    window brings the case and its customer into the context."""

    case_requested = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        console: CaseworkConsole,
        session: Session,
        runner: TaskRunner,
        *,
        context: CallContext,
        case_pane: CasePane,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._console = console
        self._session = session
        self._runner = runner
        self.context = context
        self.case_pane = case_pane
        # The audit trail is for those who may read it (supervisors); the service checks too.
        self.may_read_audit = session.may(Permission.READ_AUDIT)
        self.case_list: CaseListWidget | None = None
        self.case_list_window: QDialog | None = None
        self.audit_browser: AuditBrowser | None = None
        self.audit_window: QDialog | None = None
        self.open_case_dialog: OpenCaseDialog | None = None
        self.unmasked_dialog: UnmaskedCustomerDialog | None = None
        self._actions: list[QAction] = []
        self._pending_verify: int | None = None

        def action(text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
            act = QAction(text, window)
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{text.replace('&', '')} ({shortcut})")
            act.triggered.connect(slot)
            window.addAction(act)
            self._actions.append(act)
            return act

        self.open_case_action = action("&Open case for this customer…", "Ctrl+N", self.open_case)
        self.case_list_action = action("&Case list", "Ctrl+Shift+C", self.show_case_list)
        self.verify_action = action("&Verify the caller", "Ctrl+Shift+V", self.verify)
        self.note_action = action("Add a &note to this case", "Ctrl+Shift+N", self.write_note)
        self.audit_action = action("&Audit trail", "Ctrl+Shift+A", self.show_audit_browser)
        self.audit_action.setVisible(self.may_read_audit)
        self.audit_action.setEnabled(self.may_read_audit)
        self.menu: QMenu = window.menuBar().addMenu("Ca&ses")
        for act in (
            self.open_case_action,
            self.case_list_action,
            self.verify_action,
            self.note_action,
        ):
            self.menu.addAction(act)
        if self.may_read_audit:
            self.menu.addSeparator()
            self.menu.addAction(self.audit_action)
        case_pane.unmask_requested.connect(self.show_unmasked)

    @property
    def wizard(self) -> VerificationPanel | None:
        """The verification panel in the case pane (the name the older tests use)."""
        return self.case_pane.verification_panel

    def set_locked(self, locked: bool) -> None:
        """The window locked (idle) or unlocked: the case windows show personal data, so they
        hide with the rest; the actions wait for the unlock."""
        for act in self._actions:
            act.setEnabled(not locked and (act is not self.audit_action or self.may_read_audit))
        if locked:
            self._hide_windows()

    def _hide_windows(self) -> None:
        for window in (
            self.case_list_window,
            self.audit_window,
            self.open_case_dialog,
            self.unmasked_dialog,
        ):
            if window is not None:
                window.hide()

    def uninstall(self) -> None:
        """Remove the menu, the actions and the windows (the person signed out)."""
        self._hide_windows()
        self.case_pane.unmask_requested.disconnect(self.show_unmasked)
        for act in self._actions:
            self._window.removeAction(act)
            act.deleteLater()
        self._window.menuBar().removeAction(self.menu.menuAction())
        self.menu.deleteLater()
        for window in (
            self.case_list_window,
            self.audit_window,
            self.open_case_dialog,
            self.unmasked_dialog,
        ):
            if window is not None:
                window.deleteLater()
        self.deleteLater()

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, 10_000)

    # --- cases -------------------------------------------------------------------------------

    def open_case(self) -> None:
        customer = self.context.state.customer
        customer_id, name = (
            (customer.customer_id, customer.name) if customer is not None else (None, "")
        )
        dialog = OpenCaseDialog(
            self._console.cases,
            self._session,
            self._runner,
            customer_id,
            customer_name=name,
            parent=self._window,
        )
        dialog.opened.connect(self._case_opened)
        self.open_case_dialog = dialog
        dialog.show()

    def _case_opened(self, case: CaseRecord) -> None:
        self._say(f"Case {case.case_id} opened, due {case.due_on.isoformat()}")
        try:
            self.context.set_case(case)
        except ContextMismatch:
            # Another customer came on screen while the form was open: the case stays in the
            # list, and is not made the active case of someone else's call.
            self._say(f"Case {case.case_id} opened for a customer no longer on screen.")
        if self.case_list is not None:
            self.case_list.refresh()

    def show_case_list(self) -> None:
        if self.case_list is None:
            self.case_list = CaseListWidget(self._console.cases, self._session, self._runner)
            self.case_list.case_chosen.connect(self._case_chosen)
            self.case_list.verify_requested.connect(self._verify_chosen)
            self.case_list_window = _wrap(self.case_list, self._window, "Cases", "caseListWindow")
        assert self.case_list_window is not None
        self.case_list.refresh()
        self.case_list_window.show()
        self.case_list_window.activateWindow()
        self.case_list.table.setFocus()

    def _case_chosen(self, case: CaseRecord) -> None:
        if self.case_list_window is not None:
            self.case_list_window.hide()
        self.case_requested.emit(case)

    def _verify_chosen(self, case: CaseRecord) -> None:
        self._case_chosen(case)
        self._pending_verify = case.case_id
        self.context.changed.connect(self._verify_when_on_screen)
        self._verify_when_on_screen()

    def _verify_when_on_screen(self, *_args: object) -> None:
        if self._pending_verify is None:
            return
        if self.context.state.case_id == self._pending_verify:
            self._pending_verify = None
            self.context.changed.disconnect(self._verify_when_on_screen)
            self.verify()

    def write_note(self) -> None:
        if self.context.state.case is None:
            self._no_case()
            return
        self.case_pane.note_field.setFocus()

    # --- verification ------------------------------------------------------------------------

    def verify(self) -> VerificationPanel | None:
        """Verify the caller of the context's case, in the case pane; never another case."""
        state = self.context.state
        if state.case is None:
            self._no_case()
            return None
        return self.case_pane.verify()

    def _no_case(self) -> None:
        customer = self.context.state.customer
        if customer is None:
            self._say("No customer on screen: find one first (Ctrl+K).")
        else:
            self._say(f"No case for {customer.name} yet: open one with Ctrl+N.")

    def show_unmasked(self, case_id: int) -> None:
        if case_id != self.context.state.case_id:
            return  # only the case on screen
        unmask, session = self._console.unmask, self._session

        def run(_ctx: TaskContext) -> UnmaskedCustomer:
            return unmask.view(session, case_id)

        self._runner.submit(
            run, name="unmask", on_finished=self._show_unmasked, on_failed=self._problem
        )

    def _show_unmasked(self, view: UnmaskedCustomer) -> None:
        self.unmasked_dialog = UnmaskedCustomerDialog(view, self._window)
        self.unmasked_dialog.show()

    # --- audit -------------------------------------------------------------------------------

    def show_audit_browser(self) -> None:
        if not self.may_read_audit:
            return
        if self.audit_browser is None:
            self.audit_browser = AuditBrowser(
                self._console.audit_trail, self._session, self._runner
            )
            self.audit_window = _wrap(
                self.audit_browser, self._window, "Audit trail", "auditWindow"
            )
        assert self.audit_window is not None
        self.audit_browser.check_chain()
        self.audit_window.show()
        self.audit_window.activateWindow()
        self.audit_browser.person_field.setFocus()

    def _problem(self, failure: TaskFailure) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "csconsole",
            failure.message,
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setObjectName("caseworkProblem")
        box.open()
