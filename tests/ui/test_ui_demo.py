"""The window over a real demo console: real encrypted cache, real search, auth and audit."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from csconsole.persistence.repositories.audit_reader import iter_chain
from csconsole.ui.customer360 import UNVERIFIED_NOTICE
from csconsole.ui.main_window import MainWindow
from csconsole.ui.results_model import CustomerIdRole, ResultsModel
from csconsole.ui.sign_in_dialog import SignInDialog


def a_demo_customer(paths) -> dict[str, str | int]:
    """A customer with a billing phone, read from the (unencrypted) demo shop file."""
    with sqlite3.connect(paths.demo_shop_file) as db:
        row = db.execute(
            "SELECT c.customer_id, c.first_name, c.last_name, c.email, a.phone, a.postcode"
            " FROM customers c JOIN addresses a ON a.customer_id = c.customer_id"
            " WHERE a.kind = 'billing' AND a.phone IS NOT NULL AND a.postcode IS NOT NULL"
            " AND c.first_name GLOB '[A-Za-z]*' AND c.last_name GLOB '[A-Za-z]*'"
            " AND c.first_name NOT GLOB '*[^A-Za-z]*' AND c.last_name NOT GLOB '*[^A-Za-z]*'"
            " ORDER BY c.customer_id LIMIT 1"
        ).fetchone()
    assert row is not None, "the demo shop has no customer with an ASCII name and a phone"
    keys = ("id", "first", "last", "email", "phone", "postcode")
    return dict(zip(keys, row, strict=True))


def sign_in(qtbot, runner, console, user: str, password: str) -> SignInDialog:
    dialog = SignInDialog(runner, lambda: console.auth, username=user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password_field, password)
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    return dialog


@pytest.fixture
def signed_in_window(qtbot, runner, demo):
    console, staff = demo
    user, password = staff["rep"]
    dialog = sign_in(qtbot, runner, console, user, password)
    sessions: list[object] = []
    dialog.signed_in.connect(sessions.append)
    qtbot.waitUntil(lambda: bool(sessions), timeout=10_000)
    window = MainWindow(console, sessions[0], runner, debounce_ms=120, settle_ms=300)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return console, staff, window


def wait_results(qtbot, window) -> None:
    panel = window.search_panel
    qtbot.waitUntil(
        lambda: not panel.is_busy and (panel.shown is None or panel.shows_latest),
        timeout=10_000,
    )


def rows(window) -> list[list[str]]:
    model = window.search_panel.table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_real_sign_in_right_and_wrong_password(qtbot, runner, demo):
    console, staff = demo
    user, password = staff["rep"]
    wrong = sign_in(qtbot, runner, console, user, password + "x")
    qtbot.waitUntil(wrong.error_label.isVisible, timeout=10_000)
    assert wrong.error_label.text() == "Unknown user name or wrong password."
    right = sign_in(qtbot, runner, console, user, password)
    with qtbot.waitSignal(right.signed_in, timeout=10_000) as blocker:
        pass
    assert blocker.args[0].staff.username == user
    assert blocker.args[0].staff.role.value == "rep"


def test_real_lockout_message(qtbot, runner, demo):
    console, staff = demo
    user, _ = staff["rep"]
    dialog = sign_in(qtbot, runner, console, user, "wrong-1")
    for attempt in range(2, 7):
        qtbot.waitUntil(
            lambda: not dialog.is_checking and dialog.error_label.isVisible(), timeout=10_000
        )
        qtbot.keyClicks(dialog.password_field, f"wrong-{attempt}")
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "locked" in dialog.error_label.text(), timeout=10_000)
    assert dialog.error_label.text().startswith("Account locked after 5 failed sign-ins")


def test_find_and_open_a_real_customer_by_keyboard(qtbot, signed_in_window, paths):
    console, _, window = signed_in_window
    customer = a_demo_customer(paths)
    field = window.search_panel.search_field
    assert field.hasFocus()
    qtbot.keyClicks(field, f"{customer['first']} {customer['last']}")
    wait_results(qtbot, window)
    found = rows(window)
    model = window.search_panel.table.model()
    ids = [model.index(r, 0).data(CustomerIdRole) for r in range(model.rowCount())]
    assert customer["id"] in ids
    row = ids.index(customer["id"])
    assert found[row][0] == f"{customer['first']} {customer['last']}"
    assert found[row][1].endswith("@" + str(customer["email"]).split("@")[1])
    assert "•••" in found[row][1]
    assert window.results_label.text().endswith(" ms")
    assert window.user_label.text().endswith("(rep)")

    qtbot.keyClick(field, Qt.Key.Key_Down)
    table = window.search_panel.table
    for _ in range(row):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == row
    qtbot.keyClick(table, Qt.Key.Key_Return)
    panel = window.customer_panel
    qtbot.waitUntil(lambda: panel.summary is not None, timeout=10_000)
    assert panel.summary.customer_id == customer["id"]
    text = "\n".join(label.text() for label in panel.findChildren(QLabel))
    assert UNVERIFIED_NOTICE in text
    digits = "".join(ch for ch in str(customer["phone"]) if ch.isdigit())
    assert panel.values["phone"].text() == f"ending {digits[-4:]}"
    for secret in (
        customer["email"],
        str(customer["email"]).split("@")[0],
        customer["phone"],
        digits,
        digits[-7:],
        customer["postcode"],
    ):
        assert str(secret) not in text, secret

    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert field.hasFocus()

    # Audited: the settled search (kind only, never the text), then the masked view.
    def actions() -> list[tuple[str, object, dict]]:
        return [(e.action, e.customer_id, e.details) for e, _, _ in iter_chain(console.engine)]

    # The opening, then the overview tab's own read (each a look at the customer).
    qtbot.waitUntil(lambda: sum(a == "customer.view_masked" for a, _, _ in actions()) == 2)
    events = [a for a in actions() if a[0].startswith("customer.")]
    assert [a for a, _, _ in events] == [
        "customer.search",
        "customer.view_masked",
        "customer.view_masked",
    ]
    assert events[2][1] == customer["id"] and events[2][2]["tab"] == "overview"
    assert events[0][2]["channel"] == "ui" and events[0][2]["query_kind"] == "name"
    assert str(customer["last"]).lower() not in str(events[0][2]).lower()
    assert events[1][1] == customer["id"]
    assert console.audit_trail.verify().ok


def test_results_model_with_real_data(qtbot, qtmodeltester, signed_in_window, paths):
    _, _, window = signed_in_window
    customer = a_demo_customer(paths)
    qtbot.keyClicks(window.search_panel.search_field, str(customer["last"])[:3])
    wait_results(qtbot, window)
    model = window.search_panel.model
    assert isinstance(model, ResultsModel)
    assert model.rowCount() > 0
    qtmodeltester.check(model, force_py=True)


def test_search_by_phone_ending_and_email(qtbot, signed_in_window, paths):
    _, _, window = signed_in_window
    customer = a_demo_customer(paths)
    field = window.search_panel.search_field
    field.setText(str(customer["email"]))
    wait_results(qtbot, window)
    found = rows(window)
    assert found[0][0] == f"{customer['first']} {customer['last']}"
    assert found[0][5] == "email"
    digits = "".join(ch for ch in str(customer["phone"]) if ch.isdigit())
    field.setText(digits[-7:])
    wait_results(qtbot, window)
    model = window.search_panel.model
    ids = [model.hit(r).customer_id for r in range(model.rowCount())]
    assert customer["id"] in ids


@pytest.mark.parametrize(
    "text",
    [
        "z" * 10_000,
        "NEAR(a b)",
        '"unbalanced',
        "a* OR b AND NOT c",
        "x'); DELETE FROM audit_event; --",
        "💍😀",
        "محمد",
        "\u202egnirts\u202c",
        "\x00\x01\x1b\x7f",
    ],
    ids=["10k", "near", "quote", "fts-ops", "sql", "emoji", "rtl", "bidi", "controls"],
)
def test_odd_input_on_the_real_cache(qtbot, signed_in_window, text):
    console, _, window = signed_in_window
    failures: list[str] = []
    window.search_panel.search_failed.connect(failures.append)
    window.search_panel.search_field.setText(text)
    wait_results(qtbot, window)
    assert failures == []
    # The table shows exactly the hits of the search that ran, all masked.
    panel = window.search_panel
    shown = panel.shown
    assert panel.model.rowCount() == (len(shown.hits) if shown is not None else 0)
    for row in rows(window):
        assert "@" not in row[1] or "•••" in row[1]
    assert window.results_label.text().endswith(" ms") or window.results_label.text() == ""
    assert console.audit_trail.verify().ok  # nothing odd got into the audit trail


def test_idle_lock_with_the_real_password(qtbot, runner, demo):
    console, staff = demo
    user, password = staff["rep"]
    dialog = sign_in(qtbot, runner, console, user, password)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as blocker:
        pass
    window = MainWindow(console, blocker.args[0], runner, idle_timeout_ms=250)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_locked, timeout=5000)
    assert not window.search_panel.isVisible()
    screen = window.lock_screen
    qtbot.keyClicks(screen.password_field, "not-the-password")
    qtbot.keyClick(screen.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(screen.error_label.isVisible, timeout=10_000)
    assert window.is_locked
    other_user, other_password = staff["supervisor"]
    screen.user_field.setText(other_user)
    qtbot.keyClicks(screen.password_field, other_password)
    qtbot.keyClick(screen.password_field, Qt.Key.Key_Return)
    assert window.is_locked
    assert f"Only {user} can unlock" in screen.error_label.text()
    screen.user_field.setText(user)
    qtbot.keyClicks(screen.password_field, password)
    qtbot.keyClick(screen.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=10_000)
    assert window.search_panel.isVisible()


def test_the_status_bar_syncs_with_the_demo_shop_from_the_keyboard(qtbot, signed_in_window, paths):
    from csconsole.ui.sync_status import SyncStatusWidget

    console, _staff, window = signed_in_window
    widget, controller = window.sync_widget, window.sync_controller
    assert widget is not None and controller is not None
    assert window.statusBar().findChild(SyncStatusWidget) is widget
    assert window.sync_action.isEnabled()
    # The demo is connected to its own shop file: the window makes a first sync by itself.
    with qtbot.waitSignal(controller.finished, timeout=60_000) as first:
        pass
    assert first.args[0].kind == "ok", first.args[0].message
    assert widget.label.text().startswith("Synced ")
    customer = a_demo_customer(paths)
    with sqlite3.connect(paths.demo_shop_file) as db:
        db.execute(
            "UPDATE customers SET last_name = 'Quillfeather', updated_at = datetime('now')"
            " WHERE customer_id = ?",
            (customer["id"],),
        )
    with qtbot.waitSignal(controller.finished, timeout=60_000) as second:
        qtbot.keyClick(window, Qt.Key.Key_F5)  # Sync now
    assert second.args[0].kind == "ok", second.args[0].message
    assert second.args[0].report.kind == "incremental"
    assert second.args[0].report.pull.tables["customers"].written == 1
    assert [h.customer_id for h in console.search.search("Quillfeather")] == [customer["id"]]
    assert not widget.bar.isVisibleTo(widget)
