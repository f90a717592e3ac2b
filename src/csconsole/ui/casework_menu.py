"""The Cases menu: opens a case for the customer on screen, the case list, the verification
wizard, the customer's unmasked data and (supervisors) the audit browser.

The main window installs it with one call, so the case screens stay out of its module::

    self.casework = CaseworkMenu(self, console, session, runner,
                                 current_customer=self.customer_panel_customer)

Shortcuts: Ctrl+N opens a case for the customer on screen; Ctrl+Shift+C shows the case list
(Enter on a case verifies its caller); Ctrl+Shift+V verifies the caller of the case selected in
the list; Ctrl+Shift+A shows the audit browser (supervisors).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QVBoxLayout, QWidget

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
from csconsole.ui.verification_wizard import VerificationWizard

CurrentCustomer = Callable[[], tuple[int, str] | None]


def _wrap(widget: QWidget, parent: QWidget, title: str, name: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.resize(900, 520)
    layout = QVBoxLayout(dialog)
    layout.addWidget(widget)
    return dialog


class CaseworkMenu(QObject):
    def __init__(
        self,
        window: QMainWindow,
        console: CaseworkConsole,
        session: Session,
        runner: TaskRunner,
        *,
        current_customer: CurrentCustomer = lambda: None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._console = console
        self._session = session
        self._runner = runner
        self._current_customer = current_customer
        # The audit trail is for those who may read it (supervisors); the service checks too.
        self.may_read_audit = session.may(Permission.READ_AUDIT)
        self.case_list: CaseListWidget | None = None
        self.case_list_window: QDialog | None = None
        self.audit_browser: AuditBrowser | None = None
        self.audit_window: QDialog | None = None
        self.wizard: VerificationWizard | None = None
        self.open_case_dialog: OpenCaseDialog | None = None
        self.unmasked_dialog: UnmaskedCustomerDialog | None = None

        def action(text: str, shortcut: str, slot: Callable[[], None]) -> QAction:
            act = QAction(text, window)
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{text.replace('&', '')} ({shortcut})")
            act.triggered.connect(slot)
            window.addAction(act)
            return act

        self.open_case_action = action("&Open case for this customer…", "Ctrl+N", self.open_case)
        self.case_list_action = action("&Case list", "Ctrl+Shift+C", self.show_case_list)
        self.verify_action = action("&Verify caller of selected case", "Ctrl+Shift+V", self.verify)
        self.audit_action = action("&Audit trail", "Ctrl+Shift+A", self.show_audit_browser)
        self.audit_action.setVisible(self.may_read_audit)
        self.audit_action.setEnabled(self.may_read_audit)
        menu = window.menuBar().addMenu("Ca&ses")
        for act in (self.open_case_action, self.case_list_action, self.verify_action):
            menu.addAction(act)
        if self.may_read_audit:
            menu.addSeparator()
            menu.addAction(self.audit_action)

    def set_locked(self, locked: bool) -> None:
        """The window locked (idle) or unlocked: the case windows show personal data, so they
        hide with the rest; the actions wait for the unlock."""
        for act in (
            self.open_case_action,
            self.case_list_action,
            self.verify_action,
            self.audit_action,
        ):
            act.setEnabled(not locked and (act is not self.audit_action or self.may_read_audit))
        if locked:
            for window in (
                self.case_list_window,
                self.audit_window,
                self.wizard,
                self.open_case_dialog,
                self.unmasked_dialog,
            ):
                if window is not None:
                    window.hide()

    # --- cases -------------------------------------------------------------------------------

    def open_case(self) -> None:
        current = self._current_customer()
        customer_id, name = current if current is not None else (None, "")
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
        self._window.statusBar().showMessage(
            f"Case {case.case_id} opened, due {case.due_on.isoformat()}", 10_000
        )
        if self.case_list is not None:
            self.case_list.refresh()

    def show_case_list(self) -> None:
        if self.case_list is None:
            self.case_list = CaseListWidget(self._console.cases, self._session, self._runner)
            self.case_list.case_activated.connect(self.verify_case)
            self.case_list_window = _wrap(self.case_list, self._window, "Cases", "caseListWindow")
        assert self.case_list_window is not None
        self.case_list.refresh()
        self.case_list_window.show()
        self.case_list_window.activateWindow()
        self.case_list.table.setFocus()

    # --- verification ------------------------------------------------------------------------

    def verify(self) -> None:
        case = self.case_list.selected_case() if self.case_list is not None else None
        if case is None:
            self.show_case_list()
            return
        self.verify_case(case.case_id)

    def verify_case(self, case_id: int) -> VerificationWizard:
        wizard = VerificationWizard(
            self._console.verification, self._session, self._runner, case_id, parent=self._window
        )
        wizard.unmask_requested.connect(self.show_unmasked)
        self.wizard = wizard
        wizard.show()
        wizard.start()
        return wizard

    def show_unmasked(self, case_id: int) -> None:
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
