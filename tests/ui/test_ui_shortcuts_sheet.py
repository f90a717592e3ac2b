"""Help ▸ Keyboard shortcuts (F1): built from the window's actions; every menu action of the
main window has a shortcut and is listed; the Help menu stays last."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from csconsole.ui.main_window import MainWindow
from csconsole.ui.shortcuts_sheet import ShortcutsSheet, plain
from tests.ui.conftest import WindowMaker


def _menu_actions(window: MainWindow) -> list[tuple[str, QAction]]:
    found: list[tuple[str, QAction]] = []

    def walk(menu: QMenu) -> None:
        for act in menu.actions():
            sub = act.menu()
            if isinstance(sub, QMenu):
                walk(sub)
            elif not act.isSeparator() and act.isVisible():
                found.append((menu.title(), act))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu)
    return found


def open_sheet(qtbot: Any, window: MainWindow) -> ShortcutsSheet:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.help_menu.sheet
    assert sheet is not None
    qtbot.waitUntil(sheet.isVisible)
    return sheet


def test_every_menu_action_has_a_shortcut_and_is_on_the_sheet(
    qtbot: Any, make_window: WindowMaker
) -> None:
    for username in ("rep", "super"):  # a supervisor is offered more
        window = make_window(username=username)
        actions = _menu_actions(window)
        assert len(actions) >= 8
        missing = [plain(a.text()) for _, a in actions if a.shortcut().isEmpty()]
        assert not missing, f"menu actions without a shortcut: {missing}"
        sheet = open_sheet(qtbot, window)
        rows = sheet.rows()
        shown = [
            tuple(sheet.table.item(r, c).text() for c in range(3))  # type: ignore[union-attr]
            for r in range(sheet.table.rowCount())
        ]
        assert shown == rows  # what the table shows is what was read from the window
        for _menu, act in actions:
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            assert any(r[0] == plain(act.text()) and r[1] == keys for r in rows), act.text()
        assert ("Keyboard shortcuts", "F1", "Help") in rows
        assert ("Find customer", "Ctrl+K", "Console") in rows
        audit_rows = [r for r in rows if r[0] == "Audit trail"]
        assert bool(audit_rows) == (username == "super")  # not offered to a rep: not listed
        # Every shortcut is one action's: none is ambiguous.
        keys_listed = [r[1] for r in rows]
        assert len(keys_listed) == len(set(keys_listed))
        sheet.close()
        window.close()


def test_the_help_menu_stays_last(qtbot: Any, make_window: WindowMaker) -> None:
    window = make_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help"
    later = window.menuBar().addMenu("&Later feature")  # as a session feature adds one
    later.addAction(QAction("Something", window))
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-2:] == ["&Later feature", "&Help"]


def test_the_sheet_follows_what_is_added(qtbot: Any, make_window: WindowMaker) -> None:
    window = make_window()
    sheet = open_sheet(qtbot, window)
    extra = QAction("&Print letter…", window)
    extra.setShortcut(QKeySequence("Ctrl+P"))
    window.menuBar().actions()[0].menu().addAction(extra)  # type: ignore[union-attr]
    sheet.close()
    sheet = open_sheet(qtbot, window)
    assert ("Print letter", "Ctrl+P", "Console") in sheet.rows()
    assert sheet.table.accessibleName() == "Every action and its shortcut"
