"""Data in the window is shown as plain text with controls and bidi escaped (issue 10, item 6):
through the real widgets and models."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from csconsole.sync.errors import SyncError
from csconsole.ui.plain_text import DataLabel, plain_message_box, shown, tooltip_text
from csconsole.ui.results_model import ResultsModel
from csconsole.ui.sign_in_dialog import SignInDialog
from tests.ui.test_ui_sync_status import controllers  # noqa: F401  (the fixture, by name)
from tests.ui.ui_fakes import FakeAuth, FakeConsole

HOSTILE = '<img src="x"><b>Eve</b>\x1b[2J\nforged \u202egnp.exe'
ESCAPED = '<img src="x"><b>Eve</b>\\x1b[2J\\nforged \u27e8U+202E\u27e9gnp.exe'
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def test_a_data_label_is_plain_text_escaped(qtbot: Any) -> None:
    label = DataLabel(HOSTILE)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == ESCAPED
    label.setText(FAMILY)
    assert label.text() == FAMILY  # joiners inside an emoji sequence are kept
    label.setToolTip(HOSTILE)
    assert "<img" not in label.toolTip() and "&lt;img" in label.toolTip()
    assert "\x1b" not in label.toolTip() and "\u202e" not in label.toolTip()
    assert shown(None) == "" and tooltip_text("") == ""


def test_a_message_box_shows_data_as_plain_text(qtbot: Any) -> None:
    box = plain_message_box(None, "Sync failed", HOSTILE, QMessageBox.Icon.Critical)
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == ESCAPED.replace("\\n", "\n")  # a message may have lines
    assert "\x1b" not in box.text()


def test_result_cells_and_tooltips_are_escaped() -> None:
    console = FakeConsole()
    hit = console.search.search("jane.doe@example.com")[0]
    model = ResultsModel()
    model.set_hits([dataclasses.replace(hit, name=HOSTILE)])
    assert model.data(model.index(0, 0)) == ESCAPED
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tip, str) and "&lt;b&gt;Eve" in tip and "\x1b" not in tip


def test_a_sign_in_error_is_shown_escaped(qtbot: Any, runner: Any) -> None:
    dialog = SignInDialog(runner, lambda: FakeAuth(), username="")
    qtbot.addWidget(dialog)
    dialog.show_error(HOSTILE)
    assert dialog.error_label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.error_label.text() == ESCAPED


def test_a_failed_syncs_reason_is_shown_escaped(qtbot: Any, controllers: Any) -> None:  # noqa: F811
    from csconsole.ui.sync_status import SyncStatusWidget

    def sync(progress: Any, cancelled: Any) -> None:
        raise SyncError(f"shop said {HOSTILE}")

    controller = controllers(sync, interval_s=3600)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(controller.failed, timeout=5_000):
        controller.start()
    tip = widget.label.toolTip()
    assert "&lt;img" in tip and "<img" not in tip and "\x1b" not in tip
