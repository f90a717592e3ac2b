"""The main window's hook for the case screens: the Cases menu, and locking hides them."""

from __future__ import annotations

from typing import Any


def test_the_window_has_the_cases_menu_and_locks_it(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert "Ca&ses" in titles
    casework = window.casework
    assert casework.open_case_action.shortcut().toString() == "Ctrl+N"
    assert not casework.audit_action.isVisible()  # a rep has no audit browser
    window.lock()
    assert not casework.case_list_action.isEnabled()
    window.unlock()
    assert casework.case_list_action.isEnabled()
