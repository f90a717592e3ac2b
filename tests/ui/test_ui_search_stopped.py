"""The window refuses what the CLI refuses: once the probing tripwire stopped a person, the
search panel finds nothing by identifier (the refusal shown in words and audited); names are
still searched. Real services (the case world), real widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from csconsole.ui.main_window import MainWindow
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE_EMAIL, CaseWorld, audit_rows


def test_a_stopped_searcher_finds_no_one_by_identifier_in_the_window(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    console = ui_world.console
    rep = ui_world.session("rep")
    local, _, domain = JANE_EMAIL.partition("@")
    # Near misses of one address, settled one by one as the window does, trip the wire.
    for letter in "bcdefgh":
        text = f"{local}@{domain[:-1]}{letter}"
        query = console.search.parse(text)
        console.customers.record_search(rep, query, console.search.search(text), "window")
    assert any(a == "search.probing_stopped" for a, *_ in audit_rows(console))

    window = MainWindow(console, rep, runner, idle_timeout_ms=3_600_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.search_panel
    qtbot.keyClicks(panel.search_field, JANE_EMAIL)
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "stopped" in panel.hint.text(), timeout=10_000)
    assert panel.model.rowCount() == 0
    assert JANE_EMAIL not in panel.hint.text()
    qtbot.waitUntil(lambda: runner.pending() == 0, timeout=10_000)
    assert any(a == "search.refused" for a, *_ in audit_rows(console))

    panel.search_field.clear()
    qtbot.keyClicks(panel.search_field, "Jane Smith")  # a name, as the caller says it
    qtbot.keyClick(panel.search_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10_000)
