"""Help ▸ Keyboard shortcuts (F1): every action of the window with its shortcut, read from the
window's menus and actions when the sheet opens, so a new action shows up without a list to
keep. The main window installs it with one call, ``install_help_menu(window)``; the Help menu
stays the last menu whatever is added after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

HELP_SHORTCUT = "F1"


def plain(text: str) -> str:
    """A menu text as read: mnemonics and the trailing ellipsis dropped ("&&" stays "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")


@dataclass(frozen=True, slots=True)
class ShortcutEntry:
    menu: str  # "" for an action of the window that is in no menu
    action: str
    shortcut: str  # native text ("Ctrl+Shift+A"); "" if the action has none
    source: QAction


def _menu_actions(menu: QMenu, path: str) -> list[ShortcutEntry]:
    found: list[ShortcutEntry] = []
    for act in menu.actions():
        if act.isSeparator() or not act.isVisible():
            continue
        sub = act.menu()
        if isinstance(sub, QMenu):
            found += _menu_actions(sub, f"{path} ▸ {plain(act.text())}")
            continue
        found.append(ShortcutEntry(path, plain(act.text()), _keys(act), act))
    return found


def _keys(act: QAction) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(k.toString(native) for k in act.shortcuts() if not k.isEmpty())


def window_shortcuts(window: QMainWindow) -> list[ShortcutEntry]:
    """What the window offers this person: its menus' actions in menu order, then the
    window's other actions that have a shortcut (hidden actions are not offered)."""
    entries: list[ShortcutEntry] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu) and top.isVisible():
            entries += _menu_actions(menu, plain(top.text()))
    listed = {id(e.source) for e in entries}
    for act in window.actions():
        if id(act) in listed or act.isSeparator() or not act.isVisible() or not _keys(act):
            continue
        entries.append(ShortcutEntry("", plain(act.text()), _keys(act), act))
    return entries


class ShortcutsSheet(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.setObjectName("shortcutsSheet")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.resize(560, 520)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Every action and its shortcut")
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut", "Menu"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("shortcutsButtons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close the keyboard shortcuts")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Read the window's actions again (what is offered changes with who is signed in)."""
        self.entries = window_shortcuts(self._window)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            for column, text in enumerate((entry.action, entry.shortcut, entry.menu)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)

    def rows(self) -> list[tuple[str, str, str]]:
        """(action, shortcut, menu) as the sheet shows them."""
        return [(e.action, e.shortcut, e.menu) for e in self.entries]


class HelpMenu(QObject):
    """The Help menu and its sheet; keeps the menu last in the menu bar."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.sheet: ShortcutsSheet | None = None
        self.shortcuts_action = QAction("&Keyboard shortcuts…", window)
        self.shortcuts_action.setObjectName("shortcutsAction")
        self.shortcuts_action.setShortcut(QKeySequence(HELP_SHORTCUT))
        self.shortcuts_action.setToolTip(f"Every action and its shortcut ({HELP_SHORTCUT})")
        self.shortcuts_action.triggered.connect(self.show_sheet)
        window.addAction(self.shortcuts_action)
        self.menu = window.menuBar().addMenu("&Help")
        self.menu.setObjectName("helpMenu")
        self.menu.addAction(self.shortcuts_action)
        window.menuBar().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A menu added after this one (a later feature's) goes before Help.
        if event.type() == QEvent.Type.ActionAdded:
            bar = self._window.menuBar()
            help_action = self.menu.menuAction()
            actions = bar.actions()
            if actions and actions[-1] is not help_action:
                bar.removeAction(help_action)
                bar.addAction(help_action)
        return False

    def show_sheet(self) -> ShortcutsSheet:
        if self.sheet is None:
            self.sheet = ShortcutsSheet(self._window)
        self.sheet.refresh()
        self.sheet.show()
        self.sheet.activateWindow()
        self.sheet.table.setFocus()
        return self.sheet


def install_help_menu(window: QMainWindow) -> HelpMenu:
    return HelpMenu(window)
