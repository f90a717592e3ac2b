"""Data shown in the window is data, never markup or control (issue 10, item 6).

A customer's name, a note, a shop's error message or a user name typed at sign-in may hold
HTML (``<img src=...>``), ESC sequences, newlines or bidi overrides. Qt renders a label's or a
tooltip's text as rich text when it looks like markup, and lays out bidi overrides: so data goes
through these helpers, which show it as plain text with every such character a visible escape
(``domain.text.visible``).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from csconsole.domain.text import visible


def shown(text: object, *, multiline: bool = False) -> str:
    """``text`` (any value; None is empty) as it may be shown: controls and bidi escaped."""
    return "" if text is None else visible(str(text), multiline=multiline)


def tooltip_text(text: object) -> str:
    """A tooltip that Qt cannot read as markup: escaped, then marked as rich text itself (Qt
    guesses the format of a tooltip; a guess of "plain" would be wrong for ``<b>`` data)."""
    plain = shown(text, multiline=True)
    return "" if not plain else f"<qt>{escape(plain).replace(chr(10), '<br>')}</qt>"


def set_tooltip(widget: QWidget, text: object) -> None:
    widget.setToolTip(tooltip_text(text))


class DataLabel(QLabel):
    """A label whose text is data: always plain text, controls and bidi escaped."""

    def __init__(
        self, text: object = "", parent: QWidget | None = None, *, multiline: bool = False
    ) -> None:
        super().__init__(parent)
        self._multiline = multiline
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: object) -> None:  # any value, shown
        super().setText(shown(text, multiline=self._multiline))

    def setToolTip(self, text: object) -> None:
        super().setToolTip(tooltip_text(text))


def plain_message_box(
    parent: QWidget | None,
    title: str,
    text: object,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> QMessageBox:
    """A message box (not yet shown) whose text is data: plain text, escaped."""
    box = QMessageBox(icon, shown(title), "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(shown(text, multiline=True))
    return box
