"""The audit browser for supervisors: events filtered by person, customer, action (by its
label) and period, each event's details in full, the export of what is shown as CSV, the state
of the hash chain, and the acknowledgement of a break.

``AuditEventModel`` is a table over plain ``AuditEventView`` values. Every search and every
export is itself an audit event (the service records it).
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.audit_integrity import IntegrityReport
from csconsole.domain.audit_labels import (
    ACTION_LABELS,
    action_label,
    details_full,
    details_summary,
)
from csconsole.domain.audit_query import AuditEventView, AuditFilter
from csconsole.services.auth import Session
from csconsole.ui.plain_text import DataLabel, shown
from csconsole.ui.record_table import RecordTableModel
from csconsole.ui.tasks import LatestRequest, TaskContext, TaskFailure, TaskRunner

Index = QModelIndex | QPersistentModelIndex

SeqRole = Qt.ItemDataRole.UserRole + 1


def _time(e: AuditEventView) -> str:
    return e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


COLUMNS: tuple[tuple[str, Callable[[AuditEventView], str]], ...] = (
    ("#", lambda e: str(e.seq)),
    ("Time (UTC)", _time),
    ("Person", lambda e: e.actor),
    ("Role", lambda e: e.role),
    ("Action", lambda e: action_label(e.action)),
    ("Customer", lambda e: "" if e.customer_id is None else str(e.customer_id)),
    ("Case", lambda e: "" if e.case_id is None else str(e.case_id)),
    ("Workstation", lambda e: e.workstation),
    ("Details", lambda e: details_summary(e.details)),
)
HEADERS = tuple(header for header, _ in COLUMNS)
DETAILS_COLUMN = len(COLUMNS) - 1
BROKEN_STYLE = "background: #fde7e9; color: #a4262c; font-weight: bold; padding: 4px;"
INTACT_STYLE = "color: #0b6a0b;"
ANY_ACTION = "Any action"
# Whole areas first (an AuditFilter prefix ending in "."), then every action by its label.
ACTION_GROUPS = (
    ("All sign-in and staff events", "staff."),
    ("All customer look-ups", "customer."),
    ("All case events", "case."),
    ("All verification events", "verification."),
    ("All sync events", "sync."),
    ("All audit-trail events", "audit."),
)
DEFAULT_PERIOD = timedelta(hours=24)
CSV_HEADERS = (
    "seq",
    "time_utc",
    "person",
    "role",
    "action",
    "action_code",
    "customer",
    "case",
    "workstation",
    "details",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a would-be formula is quoted as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(e: AuditEventView) -> list[str]:
    return [
        csv_cell(value)
        for value in (
            str(e.seq),
            e.at.astimezone(UTC).isoformat(),
            e.actor,
            e.role,
            action_label(e.action),
            e.action,
            "" if e.customer_id is None else str(e.customer_id),
            "" if e.case_id is None else str(e.case_id),
            e.workstation,
            details_summary(e.details),
        )
    ]


def write_csv(path: Path, events: Sequence[AuditEventView]) -> None:
    """Write ``events`` to ``path``, readable by its owner only (0600, also when replacing)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADERS)
        writer.writerows(csv_row(e) for e in events)


def event_text(e: AuditEventView) -> str:
    """One event in full, for the details pane."""
    lines = [
        f"Event {e.seq} at {_time(e)} UTC",
        f"{action_label(e.action)} ({e.action})",
        f"Person: {e.actor} ({e.role}) on {e.workstation}",
    ]
    if e.customer_id is not None:
        lines.append(f"Customer: {e.customer_id}")
    if e.case_id is not None:
        lines.append(f"Case: {e.case_id}")
    return "\n".join([*lines, "", details_full(e.details)])


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

    def record_export(self, session: Session, audit_filter: AuditFilter, rows: int) -> None: ...

    def status(self) -> IntegrityReport: ...

    def acknowledge(self, session: Session, reason: str) -> object: ...


ChoosePath = Callable[[QWidget], str | None]


def ask_for_csv_path(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export audit events", "audit-events.csv", "CSV files (*.csv)"
    )
    return path or None


def _qt_utc(moment: datetime) -> QDateTime:
    # The edits show UTC wall time; they carry no zone, so the fields are copied.
    m = moment.astimezone(UTC)
    return QDateTime(QDate(m.year, m.month, m.day), QTime(m.hour, m.minute))


def _utc_of(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=UTC)


def _period_edit(name: str, accessible: str, value: datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(_qt_utc(value))
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


class AuditBrowser(QWidget):
    searched = Signal(int)
    exported = Signal(str)

    def __init__(
        self,
        backend: AuditBackend,
        session: Session,
        runner: TaskRunner,
        *,
        now: datetime | None = None,
        choose_path: ChoosePath = ask_for_csv_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._session = session
        self._runner = runner
        self._choose_path = choose_path
        self._shown_filter: AuditFilter | None = None
        # Only the newest search's events are shown (each search is audited: none is cancelled).
        self._searches = LatestRequest(runner)
        self.setObjectName("auditBrowser")
        self.setWindowTitle("Audit trail")
        now = now or datetime.now(UTC)

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
        self.action_combo.setAccessibleName("Action")
        self.action_combo.addItem(ANY_ACTION, None)
        for label, prefix in ACTION_GROUPS:
            self.action_combo.addItem(label, prefix)
        for action, label in sorted(ACTION_LABELS.items(), key=lambda item: item[1]):
            self.action_combo.addItem(label, action)
        # Opens on the last 24 hours; "to" is the last minute shown.
        self.from_date = _period_edit("fromDate", "Period from (UTC)", now - DEFAULT_PERIOD)
        self.to_date = _period_edit("toDate", "Period to (UTC)", now)
        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("searchButton")
        self.search_button.setAccessibleName("Search the audit trail")
        # Enter in any field searches; a default button would search a second time in a dialog.
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setObjectName("exportButton")
        self.export_button.setAccessibleName("Export the events shown as CSV")
        self.export_button.setAutoDefault(False)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_csv)
        for field in (self.person_field, self.customer_field):
            field.returnPressed.connect(self.search)

        form = QFormLayout()
        form.addRow("&Person:", self.person_field)
        form.addRow("C&ustomer id:", self.customer_field)
        form.addRow("&Action:", self.action_combo)
        period = QHBoxLayout()
        period.addWidget(self.from_date)
        to_label = QLabel("to")
        to_label.setBuddy(self.to_date)
        period.addWidget(to_label)
        period.addWidget(self.to_date)
        period.addWidget(QLabel("UTC"))
        period.addStretch(1)
        period.addWidget(self.search_button)
        period.addWidget(self.export_button)
        # A row of a layout gets no buddy from addRow, so its mnemonic showed as a stray "&":
        # the label is made here, with the first field as its buddy.
        self.period_label = QLabel("Pe&riod:")
        self.period_label.setObjectName("periodLabel")
        self.period_label.setBuddy(self.from_date)
        form.addRow(self.period_label, period)

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
        self.ack_button.setAccessibleName("Acknowledge the break")
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
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The details wrap in the last column instead of being cut off at its edge.
        header.setSectionResizeMode(DETAILS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details_pane = QPlainTextEdit()
        self.details_pane.setObjectName("auditDetails")
        self.details_pane.setAccessibleName("The selected event in full")
        self.details_pane.setReadOnly(True)
        self.details_pane.setPlaceholderText("Select an event to read it in full.")
        self.details_pane.setTabChangesFocus(True)
        self.results = QSplitter(Qt.Orientation.Vertical)
        self.results.setObjectName("auditResults")
        self.results.setChildrenCollapsible(False)
        self.results.addWidget(self.table)
        self.results.addWidget(self.details_pane)
        self.results.setStretchFactor(0, 3)
        self.results.setStretchFactor(1, 1)

        self.message_label = DataLabel()  # failure messages and paths are data
        self.message_label.setObjectName("auditMessage")
        self.message_label.setAccessibleName("Audit browser message")
        self.message_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.chain_label)
        layout.addWidget(self._ack_box)
        layout.addLayout(form)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message_label)
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def tab_chain(self) -> list[QWidget]:
        """The controls in the order Tab visits them: top to bottom, left to right."""
        return [
            self.ack_reason,
            self.ack_button,
            self.person_field,
            self.customer_field,
            self.action_combo,
            self.from_date,
            self.to_date,
            self.search_button,
            self.export_button,
            self.table,
            self.details_pane,
        ]

    # --- filter ------------------------------------------------------------------------------

    def select_action(self, label: str) -> None:
        """Choose the action filter by what the combo shows (a label or an area)."""
        row = self.action_combo.findText(label)
        if row < 0:
            raise ValueError(f"Action: no choice {label!r}.")
        self.action_combo.setCurrentIndex(row)

    def current_filter(self) -> AuditFilter:
        """The filter the fields describe; ``ValueError`` with a reason for bad input."""
        customer_text = self.customer_field.text().strip()
        customer_id: int | None = None
        if customer_text:
            if not customer_text.isdigit():
                raise ValueError("Customer id: digits only.")
            customer_id = int(customer_text)
        since = _utc_of(self.from_date.dateTime())
        until = _utc_of(self.to_date.dateTime()) + timedelta(minutes=1)
        if until <= since + timedelta(minutes=1):
            raise ValueError("Period: the end must be after the start.")
        action = self.action_combo.currentData()
        return AuditFilter(
            actor=self.person_field.text().strip() or None,
            customer_id=customer_id,
            action=action if isinstance(action, str) else None,
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

        def run(_ctx: TaskContext) -> tuple[AuditFilter, list[AuditEventView]]:
            return audit_filter, backend.browse(session, audit_filter)

        self.message_label.setText("Searching…")
        self._searches.submit(
            run, name="audit_browse", on_finished=self._found, on_failed=self._failed
        )

    def _found(self, found: tuple[AuditFilter, list[AuditEventView]]) -> None:
        audit_filter, events = found
        self._shown_filter = audit_filter
        self.model.set_events(events)
        self.details_pane.clear()
        self.export_button.setEnabled(bool(events))
        count = len(events)
        self.message_label.setText(f"{count} event{'s' if count != 1 else ''}, newest first")
        self.searched.emit(count)

    def _failed(self, failure: TaskFailure) -> None:
        self.message_label.setText(failure.message)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        event = self.model.event_at(rows[0].row()) if rows else None
        text = event_text(event) if event is not None else ""
        self.details_pane.setPlainText(shown(text, multiline=True))

    # --- export ------------------------------------------------------------------------------

    def export_csv(self) -> None:
        """Export the events shown (the search that found them is what the audit names)."""
        events, audit_filter = self.model.records(), self._shown_filter
        if not events or audit_filter is None:
            self.message_label.setText("Export: search first; there are no events to export.")
            return
        chosen = self._choose_path(self)
        if not chosen:
            return
        path = Path(chosen)
        backend, session = self._backend, self._session

        def run(_ctx: TaskContext) -> str:
            # Recorded first: no file leaves without its audit event.
            backend.record_export(session, audit_filter, len(events))
            write_csv(path, events)
            return str(path)

        self.message_label.setText("Exporting…")
        self._runner.submit(
            run, name="audit_export", on_finished=self._exported, on_failed=self._failed
        )

    def _exported(self, path: str) -> None:
        count = self.model.rowCount()
        self.message_label.setText(f"{count} event{'s' if count != 1 else ''} exported to {path}")
        self.exported.emit(path)

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
