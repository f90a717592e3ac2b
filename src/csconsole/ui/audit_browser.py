"""The audit browser for supervisors: events filtered by person, customer, action and period,
the state of the hash chain, and the acknowledgement of a break.

``AuditEventModel`` is a table over plain ``AuditEventView`` values. Every search is itself an
audit event (the service records it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.audit_integrity import IntegrityReport
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.services.auth import Session
from csconsole.ui.record_table import RecordTableModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

Index = QModelIndex | QPersistentModelIndex

SeqRole = Qt.ItemDataRole.UserRole + 1

COLUMNS: tuple[tuple[str, Callable[[AuditEventView], str]], ...] = (
    ("#", lambda e: str(e.seq)),
    ("Time (UTC)", lambda e: e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")),
    ("Person", lambda e: e.actor),
    ("Role", lambda e: e.role),
    ("Action", lambda e: e.action),
    ("Customer", lambda e: "" if e.customer_id is None else str(e.customer_id)),
    ("Case", lambda e: "" if e.case_id is None else str(e.case_id)),
    ("Workstation", lambda e: e.workstation),
    ("Details", lambda e: e.details_text()),
)
HEADERS = tuple(header for header, _ in COLUMNS)
BROKEN_STYLE = "background: #fde7e9; color: #a4262c; font-weight: bold; padding: 4px;"
INTACT_STYLE = "color: #0b6a0b;"
ACTION_CHOICES = (
    "",
    "verification.",
    "case.",
    "customer.",
    "staff.",
    "audit.",
    "account.",
)


class AuditEventModel(RecordTableModel[AuditEventView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, key_role=SeqRole, key=lambda e: e.seq, parent=parent)

    def set_events(self, events: Sequence[AuditEventView]) -> None:
        self.set_records(events)

    def event_at(self, row: int) -> AuditEventView | None:
        return self.record_at(row)


class AuditBackend(Protocol):
    """``services.audit_trail.AuditTrailService`` provides it."""

    def browse(self, session: Session, audit_filter: AuditFilter) -> list[AuditEventView]: ...

    def status(self) -> IntegrityReport: ...

    def acknowledge(self, session: Session, reason: str) -> object: ...


def _start_of(day: QDate) -> datetime:
    return datetime(day.year(), day.month(), day.day(), tzinfo=UTC)


class AuditBrowser(QWidget):
    searched = Signal(int)

    def __init__(
        self,
        backend: AuditBackend,
        session: Session,
        runner: TaskRunner,
        *,
        today: QDate | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        # Only the newest search's events are shown (each search is audited: none is cancelled).
        self._searches = LatestRequest(runner)
        self.setObjectName("auditBrowser")
        self.setWindowTitle("Audit trail")
        today = today or QDate.currentDate()

        self.person_field = QLineEdit()
        self.person_field.setObjectName("personField")
        self.person_field.setAccessibleName("Person (user name)")
        self.person_field.setMaxLength(64)
        self.customer_field = QLineEdit()
        self.customer_field.setObjectName("customerField")
        self.customer_field.setAccessibleName("Customer id")
        self.customer_field.setMaxLength(12)
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("actionCombo")
        self.action_combo.setAccessibleName("Action, or a prefix ending in a dot")
        self.action_combo.setEditable(True)
        self.action_combo.addItems(ACTION_CHOICES)
        self.from_date = QDateEdit(today.addDays(-7))
        self.from_date.setObjectName("fromDate")
        self.from_date.setAccessibleName("From (first day)")
        self.from_date.setCalendarPopup(True)
        self.from_date.setDisplayFormat("yyyy-MM-dd")
        self.to_date = QDateEdit(today)
        self.to_date.setObjectName("toDate")
        self.to_date.setAccessibleName("To (last day)")
        self.to_date.setCalendarPopup(True)
        self.to_date.setDisplayFormat("yyyy-MM-dd")
        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("searchButton")
        # Enter in any field searches; a default button would search a second time in a dialog.
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        for field in (self.person_field, self.customer_field):
            field.returnPressed.connect(self.search)
        line_edit = self.action_combo.lineEdit()
        if line_edit is not None:
            line_edit.returnPressed.connect(self.search)

        form = QFormLayout()
        form.addRow("&Person:", self.person_field)
        form.addRow("C&ustomer id:", self.customer_field)
        form.addRow("&Action:", self.action_combo)
        period = QHBoxLayout()
        period.addWidget(self.from_date)
        period.addWidget(QLabel("to"))
        period.addWidget(self.to_date)
        period.addStretch(1)
        period.addWidget(self.search_button)
        form.addRow("Pe&riod:", period)

        self.chain_label = QLabel("Checking the audit trail…")
        self.chain_label.setObjectName("chainLabel")
        self.chain_label.setAccessibleName("State of the audit trail")
        self.chain_label.setWordWrap(True)
        self.ack_reason = QLineEdit()
        self.ack_reason.setObjectName("ackReason")
        self.ack_reason.setAccessibleName("Why the break is acknowledged")
        self.ack_reason.setPlaceholderText("What was found, and who was told")
        self.ack_button = QPushButton("Ac&knowledge break")
        self.ack_button.setObjectName("ackButton")
        self.ack_button.setAutoDefault(False)
        self.ack_button.clicked.connect(self.acknowledge)
        ack_row = QHBoxLayout()
        ack_row.addWidget(self.ack_reason, 1)
        ack_row.addWidget(self.ack_button)
        self._ack_box = QWidget()
        self._ack_box.setLayout(ack_row)
        self._ack_box.hide()

        self.model = AuditEventModel(self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName("Audit events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.message_label = QLabel()
        self.message_label.setObjectName("auditMessage")
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.chain_label)
        layout.addWidget(self._ack_box)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)

    # --- filter ------------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """The filter the fields describe; ``ValueError`` with a reason for bad input."""
        customer_text = self.customer_field.text().strip()
        customer_id: int | None = None
        if customer_text:
            if not customer_text.isdigit():
                raise ValueError("Customer id: digits only.")
            customer_id = int(customer_text)
        since = _start_of(self.from_date.date())
        until = _start_of(self.to_date.date()) + timedelta(days=1)
        if until <= since:
            raise ValueError("Period: the last day must not be before the first.")
        return AuditFilter(
            actor=self.person_field.text().strip() or None,
            customer_id=customer_id,
            action=self.action_combo.currentText().strip() or None,
            since=since,
            until=until,
        )

    def search(self) -> None:
        try:
            audit_filter = self.current_filter()
        except ValueError as exc:
            self.message_label.setText(str(exc))
            return
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> list[AuditEventView]:
            return backend.browse(session, audit_filter)

        self.message_label.setText("Searching…")
        self._searches.submit(
            run, name="audit_browse", on_finished=self._found, on_failed=self._failed
        )

    def _found(self, events: list[AuditEventView]) -> None:
        self.model.set_events(events)
        count = len(events)
        self.message_label.setText(f"{count} event{'s' if count != 1 else ''}, newest first")
        self.searched.emit(count)

    def _failed(self, failure: TaskFailure) -> None:
        self.message_label.setText(failure.message)

    # --- chain state -------------------------------------------------------------------------

    def check_chain(self) -> None:
        backend = self._backend

        def run(_ctx: TaskContext) -> IntegrityReport:
            return backend.status()

        self._runner.submit(
            run, name="audit_status", on_finished=self._show_chain, on_failed=self._failed
        )

    def _show_chain(self, report: IntegrityReport) -> None:
        if report.needs_acknowledgement:
            self.chain_label.setText(
                f"The audit trail is BROKEN at event {report.chain.bad_seq}: "
                f"{report.chain.problem}. Nothing can be recorded until a supervisor "
                "acknowledges the break."
            )
            self.chain_label.setStyleSheet(BROKEN_STYLE)
            self._ack_box.show()
        else:
            self.chain_label.setText(f"Audit trail intact up to event {report.events}.")
            self.chain_label.setStyleSheet(INTACT_STYLE)
            self._ack_box.hide()

    def acknowledge(self) -> None:
        reason = self.ack_reason.text()
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> IntegrityReport:
            backend.acknowledge(session, reason)
            return backend.status()

        self._runner.submit(
            run, name="audit_acknowledge", on_finished=self._acknowledged, on_failed=self._failed
        )

    def _acknowledged(self, report: IntegrityReport) -> None:
        self.ack_reason.clear()
        self.message_label.setText("Break acknowledged; recording resumes.")
        self._show_chain(report)
