"""The console window over a fake console: search as you type, keyboard navigation, opening a
customer (masked), auditing, status bar, odd input."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel

from csconsole.ui.customer360 import UNVERIFIED_NOTICE
from tests.ui.ui_fakes import CUSTOMERS


def table_rows(window) -> list[list[str]]:
    model = window.search_panel.table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def names(window) -> list[str]:
    return [row[0] for row in table_rows(window)]


def panel_text(window) -> str:
    panel = window.customer_panel
    labels = [panel, *panel.findChildren(QLabel)]
    return "\n".join(w.text() for w in labels if isinstance(w, QLabel))


def wait_search_done(qtbot, window) -> None:
    panel = window.search_panel
    qtbot.waitUntil(
        lambda: not panel.is_busy and (panel.shown is None or panel.shows_latest),
        timeout=10_000,
    )


def type_search(qtbot, window, text: str) -> None:
    field = window.search_panel.search_field
    field.clear()
    qtbot.keyClicks(field, text)
    wait_search_done(qtbot, window)


def test_search_field_has_focus_on_open(qtbot, make_window):
    window = make_window()
    qtbot.waitUntil(window.search_panel.search_field.hasFocus)
    assert window.search_panel.search_field.accessibleName() == "Customer search"
    assert "Ctrl+K" in window.search_panel.search_field.toolTip()


def test_typing_shows_masked_results_in_the_table(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "smith")
    rows = table_rows(window)
    assert {"John Smith", "Anna Smith"} <= {r[0] for r in rows}
    john = next(r for r in rows if r[0] == "John Smith")
    assert john == ["John Smith", "j•••@example.com", "ending 0142", "New York", "US", "name"]
    header = window.search_panel.table.model().headerData
    assert [header(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "Name",
        "Email",
        "Phone",
        "City",
        "Country",
        "Matched on",
    ]
    # The status bar has the count and the time; the user and role stay on the right.
    assert window.results_label.text().startswith(f"{len(rows)} results in ")
    assert window.results_label.text().endswith(" ms")
    assert window.user_label.text() == "Signed in: Rita Rep (rep)"


def test_phone_and_email_searches_rank_the_exact_match_first(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "555-0142")
    assert names(window)[0] == "John Smith"
    assert table_rows(window)[0][5] in {"phone", "phone ending"}
    type_search(qtbot, window, "jane.doe@example.com")
    assert table_rows(window) == [
        ["Jane Doe", "j•••@example.com", "ending 4990", "San Francisco", "US", "email"]
    ]


def test_search_runs_off_the_ui_thread(qtbot, make_window, fake_console):
    window = make_window()
    type_search(qtbot, window, "anna")
    assert names(window)
    assert fake_console.lookup.threads
    assert "MainThread" not in fake_console.lookup.threads


def test_slow_search_does_not_block_typing_and_stale_results_are_dropped(
    qtbot, make_window, fake_console
):
    lookup = fake_console.lookup
    lookup.gate.clear()  # every lookup call waits until the test lets it go on
    window = make_window()
    shown: list[list[str]] = []
    window.search_panel.model.modelReset.connect(lambda: shown.append(names(window)))
    field = window.search_panel.search_field
    qtbot.keyClicks(field, "jane")
    qtbot.waitUntil(lambda: lookup.calls > 0)  # the "jane" search is running, held at the gate
    field.setText("john")  # the rep keeps typing while it runs
    assert field.text() == "john"
    lookup.gate.set()
    wait_search_done(qtbot, window)
    assert names(window) == ["John Smith"]
    assert all("Jane Doe" not in batch for batch in shown)


def test_keyboard_down_enter_opens_the_customer_masked(qtbot, make_window, fake_console):
    window = make_window()
    type_search(qtbot, window, "jane doe")
    assert names(window)[0] == "Jane Doe"
    field = window.search_panel.search_field
    table = window.search_panel.table
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert table.hasFocus()
    assert table.currentIndex().row() == 0
    qtbot.keyClick(table, Qt.Key.Key_Return)
    panel = window.customer_panel
    qtbot.waitUntil(lambda: panel.summary is not None)
    assert panel.summary.customer_id == 1
    text = panel_text(window)
    assert UNVERIFIED_NOTICE in text
    assert panel.notice.isVisible()
    assert panel.title.text() == "Jane Doe"
    assert panel.values["customer_no"].text() == "1"
    assert panel.values["email"].text() == "j•••@example.com"
    assert panel.values["phone"].text() == "ending 4990"
    assert panel.values["postcode"].text() == "9•••"
    assert panel.values["city"].text() == "San Francisco"
    assert panel.values["since"].text() == "2021-03"
    assert panel.values["orders"].text() == "1"
    assert panel.values["email_marketing"].text() == "subscribed"
    assert panel.values["catalog"].text() == "not subscribed"
    assert panel.values["misuse"].text() == "none"
    # Nothing unmasked anywhere in the panel.
    jane = CUSTOMERS[0]
    for secret in (
        jane.email,
        "jane.doe",
        jane.phone,
        "4155554990",
        "555 4990",
        jane.postcode,
        "DN100234",
    ):
        assert secret not in text
    # The opening and the settled search were audited, search first, channel "ui".
    # Then the overview tab's own read, audited as a look at the customer too.
    qtbot.waitUntil(lambda: fake_console.uow.actions().count("customer.view_masked") == 2)
    actions = fake_console.uow.actions()
    assert actions == ["customer.search", "customer.view_masked", "customer.view_masked"]
    search_event, view_event, tab_event = fake_console.uow.events
    assert search_event["details"]["channel"] == "ui"
    assert search_event["details"]["query_kind"] == "name"
    assert "jane" not in str(search_event["details"]).lower()
    assert view_event["customer_id"] == 1
    assert view_event["actor"] == "rep"
    assert tab_event["customer_id"] == 1
    assert tab_event["details"] == {"channel": "ui", "tab": "overview"}


def test_misuse_flag_is_shown(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "anna smith")
    row = names(window).index("Anna Smith")
    table = window.search_panel.table
    qtbot.keyClick(window.search_panel.search_field, Qt.Key.Key_Down)
    for _ in range(row):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: window.customer_panel.summary is not None)
    assert window.customer_panel.summary.name == "Anna Smith"
    assert window.customer_panel.values["misuse"].text().startswith("REPORTED")


def test_double_click_opens_the_customer(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "zoe")
    assert names(window) == ["Zoë Müller"]
    table = window.search_panel.table
    rect = table.visualRect(table.model().index(0, 0))
    # A real double-click is a press (which selects) followed by the double-click event.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.customer_panel.summary is not None)
    assert window.customer_panel.summary.customer_id == 4


def test_escape_and_ctrl_k_go_back_to_the_search_field(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "smith")
    field, table = window.search_panel.search_field, window.search_panel.table
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert field.hasFocus()
    assert field.selectedText() == "smith"  # typing replaces the old search
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert field.hasFocus()
    assert window.find_action.shortcut().toString() == "Ctrl+K"


def test_settled_search_is_audited_once(qtbot, make_window, fake_console, runner):
    window = make_window(settle_ms=100)
    panel = window.search_panel
    settled: list[object] = []
    panel.settled.connect(lambda _query, hits: settled.append(hits))
    type_search(qtbot, window, "smith")
    qtbot.waitUntil(lambda: window.audited_searches == 1)
    # Nothing more can come: the settle timer is stopped and no audit waits on the runner.
    assert not panel.settle_timer.isActive()
    assert runner.pending() == 0
    panel.flush_settled()  # as when the window closes: results settled once stay settled
    assert len(settled) == 1
    assert fake_console.uow.actions() == ["customer.search"]
    details = fake_console.uow.events[0]["details"]
    assert details["results"] == len(names(window))
    assert details["channel"] == "ui"


def test_clearing_the_field_clears_the_table(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "smith")
    assert names(window)
    field = window.search_panel.search_field
    qtbot.keyClick(field, Qt.Key.Key_Escape)  # Escape in a filled field clears it
    assert field.text() == ""
    assert window.search_panel.model.rowCount() == 0
    assert window.results_label.text() == ""


def test_no_result_says_so(qtbot, make_window):
    window = make_window()
    type_search(qtbot, window, "qwxz")
    assert window.search_panel.model.rowCount() == 0
    assert "No customer found" in window.search_panel.hint.text()
    assert window.results_label.text().startswith("0 results in ")


BAD_INPUTS = [
    pytest.param("a" * 10_000, id="10k-chars"),
    pytest.param("x" * 9_000 + " smith", id="10k-chars-with-name"),
    pytest.param("'; DROP TABLE shop_customer; --", id="sql"),
    pytest.param('"smith', id="open-quote"),
    pytest.param('smith"*', id="fts-star"),
    pytest.param("NEAR(a b)", id="fts-near"),
    pytest.param("smith AND NOT jones OR ^x", id="fts-operators"),
    pytest.param("anna* -smith {col}: x", id="fts-column"),
    pytest.param("😀💍 smith 👩‍👩‍👧", id="emoji"),
    pytest.param("محمد أحمد", id="arabic-rtl"),
    pytest.param("שרה כהן", id="hebrew-rtl"),
    pytest.param("\u202eevil\u202c smith", id="bidi-override"),
    pytest.param("sm\x00ith\x07\x1b[31m\r\n", id="control-chars"),
    pytest.param("\u200b\u200b", id="zero-width-only"),
    pytest.param("%_%", id="like-wildcards"),
    pytest.param("@", id="lone-at"),
    pytest.param("+++---((()))", id="phone-punctuation"),
    pytest.param("١٢٣٤٥٦٧", id="arabic-digits"),
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_odd_input_never_errors(qtbot, make_window, text):
    window = make_window()
    failures: list[str] = []
    window.search_panel.search_failed.connect(failures.append)
    field = window.search_panel.search_field
    field.setText(text)
    wait_search_done(qtbot, window)
    QApplication.processEvents()
    assert failures == []
    assert "failed" not in window.search_panel.hint.text()
    # Whatever came back is a well-formed table of masked rows.
    for row in table_rows(window):
        assert len(row) == 6
        assert all(isinstance(cell, str) for cell in row)
        assert "@" not in row[1] or "•••" in row[1]


def type_unicode(widget, text: str) -> None:
    """Key events carrying any character (QTest.keyClicks handles ASCII only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def test_odd_input_typed_key_by_key(qtbot, make_window):
    window = make_window()
    failures: list[str] = []
    window.search_panel.search_failed.connect(failures.append)
    type_search(qtbot, window, 'NEAR(smith "anna") OR x*')
    assert failures == []
    field = window.search_panel.search_field
    field.clear()
    type_unicode(field, "Zoë 💍 שרה")
    assert field.text() == "Zoë 💍 שרה"
    wait_search_done(qtbot, window)
    assert failures == []
    field.clear()
    type_unicode(field, "zoë")
    wait_search_done(qtbot, window)
    assert names(window) == ["Zoë Müller"]
    type_search(qtbot, window, "smith")
    assert "John Smith" in names(window)
