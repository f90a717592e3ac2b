"""Guards the PySide6 pin: 6.12.0 lost a reference to True on every emit (Python 3.11 aborts)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Sender(QObject):
    value = Signal(int)
    bare = Signal()


def test_emit_keeps_reference_counts(qtbot):
    sender = Sender()
    got: list[int] = []
    sender.value.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):  # well past the references True has at start-up
        sender.value.emit(i)
        sender.bare.emit()
    assert abs(sys.getrefcount(True) - before) <= 5
    assert got == list(range(5000))
