"""ResultsModel over real search results (the real SearchService over the fake lookup)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from csconsole.ui.results_model import HEADERS, CustomerIdRole, ResultsModel
from tests.ui.ui_fakes import FakeConsole


def test_model_passes_qt_model_tester_with_results_and_empty(qtmodeltester):
    console = FakeConsole()
    model = ResultsModel()
    model.set_hits(console.search.search("smith"))
    assert model.rowCount() >= 2
    qtmodeltester.check(model, force_py=True)
    model.clear()
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_cells_are_the_masked_hit_fields():
    console = FakeConsole()
    model = ResultsModel()
    model.set_hits(console.search.search("jane.doe@example.com"))
    assert model.rowCount() == 1
    assert model.columnCount() == len(HEADERS) == 6
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == ["Name", "Email", "Phone", "City", "Country", "Matched on"]
    row = [model.data(model.index(0, c)) for c in range(6)]
    assert row == ["Jane Doe", "j•••@example.com", "ending 4990", "San Francisco", "US", "email"]
    assert model.data(model.index(0, 0), CustomerIdRole) == 1
    assert model.hit(0).customer_id == 1
    assert model.hit(5) is None
    # Nothing below a row, and no editing.
    assert model.rowCount(model.index(0, 0)) == 0
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert model.data(QModelIndex()) is None
