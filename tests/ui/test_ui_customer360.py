"""The customer's 360 view through its real widgets: every tab loads on the task runner when
shown, masked until the call context says the caller is verified, then unmasked in place
(audited once per verification); a stale load is dropped; HTML is shown as text."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from csconsole.services.customer_view import ActivityView, CaseView
from csconsole.ui.customer360 import UNVERIFIED_NOTICE, Customer360View
from csconsole.ui.customer360.view import TAB_TITLES
from csconsole.ui.tasks import TaskRunner
from tests.casework import JANE, JANE_SECRETS, CaseWorld, audit_rows
from tests.ui.ui_fakes import CUSTOMERS, FakeConsole, FakeCustomer, FakeLookup, rep_session


def make_view(qtbot: Any, console: Any, runner: TaskRunner, session: Any = None) -> Customer360View:
    view = Customer360View(console, session or rep_session(console), runner)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def open_customer(qtbot: Any, view: Customer360View, console: FakeConsole, cid: int) -> None:
    summary = console.lookup.summary(cid)
    assert summary is not None
    view.show_loading(summary.name)
    view.show_summary(summary)


def all_text(view: Customer360View) -> str:
    labels = [w.text() for w in view.findChildren(QLabel)]
    trees = [
        " | ".join(row)
        for key in ("addresses", "orders", "mailing", "cases", "activity")
        for row in getattr(view, key).cell_texts()
    ]
    return "\n".join(labels + trees)


def loaded(view: Customer360View, key: str) -> bool:
    return key in view._loaded


def test_tabs_load_lazily_on_the_runner_masked(qtbot, runner, fake_console):
    fake_console.view_reads.cases_of[1] = [
        CaseView(
            7,
            "",
            "access",
            "open",
            "copy of data",
            datetime(2024, 4, 30, tzinfo=UTC),
            date(2024, 6, 14),
            None,
        )
    ]
    fake_console.view_reads.activity_of[1] = [
        ActivityView(
            datetime(2024, 4, 30, 9, 15, tzinfo=UTC),
            "sam",
            "supervisor",
            "desk-2",
            "verification.locked",
            7,
            {"failures": 3, "channel": "ui"},
        )
    ]
    view = make_view(qtbot, fake_console, runner)
    open_customer(qtbot, view, fake_console, 1)
    qtbot.waitUntil(lambda: loaded(view, "overview"))
    # Only the tab on screen was read, on the worker thread, and audited.
    reads = fake_console.view_reads
    assert reads.reads == [("overview", 1)]
    assert threading.current_thread().name not in reads.threads
    assert view.values["billing_region"].text() == "CA"
    assert view.values["email"].text() == "j•••@example.com"
    assert view.values["date_of_birth"].text() == "•••"
    assert view.notice.text() == UNVERIFIED_NOTICE
    expected = {
        "addresses": [["billing", "•••", "San Francisco", "CA", "9•••", "US", "ending 4990"]],
        "orders": [["1", "shipped", "2", "Visa •••"]],
        "mailing": [["email", "enrolled", "contest", "2023-01-05 00:00 UTC"]],
        "cases": [["7", "access", "open", "2024-04-30 00:00 UTC", "2024-06-14", "copy of data"]],
        "activity": [
            [
                "2024-04-30 09:15 UTC",
                "sam (supervisor, desk-2)",
                "Verification locked",
                "7",
                "channel: ui; failures: 3",
            ]
        ],
    }
    for n, (key, _title) in enumerate(TAB_TITLES[1:], start=1):
        view.tabs.setCurrentIndex(n)
        qtbot.waitUntil(lambda key=key: loaded(view, key))
        assert getattr(view, key).cell_texts() == expected[key], key
    assert [tab for tab, _ in reads.reads] == [key for key, _ in TAB_TITLES]
    # Showing a tab again reads nothing more.
    view.tabs.setCurrentIndex(0)
    view.tabs.setCurrentIndex(1)
    assert len(reads.reads) == 6
    tabs = [e["details"]["tab"] for e in fake_console.uow.events]
    assert tabs == [key for key, _ in TAB_TITLES]
    assert {e["action"] for e in fake_console.uow.events} == {"customer.view_masked"}
    text = all_text(view)
    jane = CUSTOMERS[0]
    for secret in (jane.email, jane.phone, "4155554990", jane.postcode, "DN100234"):
        assert secret not in text


def test_a_new_customer_reloads_the_tab_and_drops_the_stale_load(qtbot, runner, fake_console):
    view = make_view(qtbot, fake_console, runner)
    view.show_tab("addresses")
    reads = fake_console.view_reads
    reads.gate.clear()  # the first customer's load waits on the worker
    open_customer(qtbot, view, fake_console, 1)
    qtbot.waitUntil(lambda: runner.pending() == 1)
    open_customer(qtbot, view, fake_console, 4)  # before the first one's load came back
    reads.gate.set()
    qtbot.waitUntil(lambda: loaded(view, "addresses") and runner.pending() == 0)
    assert reads.reads == [("addresses", 1), ("addresses", 4)]
    assert view.addresses.cell_texts()[0][2] == "Berlin"
    assert "San Francisco" not in all_text(view)
    assert view.title.text() == "Zoë Müller"
    assert view._requests["addresses"].dropped == 1


def test_html_in_data_is_shown_as_text(qtbot, runner):
    evil = "<b>Bold</b> <img src=x onerror=alert(1)>"
    lookup = FakeLookup(
        [
            FakeCustomer(
                9,
                evil,
                "<i>Doe</i>",
                "x@example.com",
                "+1 415 555 0000",
                "94110",
                "<h1>City</h1>",
                "US",
            )
        ]
    )
    console = FakeConsole(lookup=lookup)
    console.view_reads.cases_of[9] = [
        CaseView(
            3,
            "",
            "inquiry",
            "open",
            "<script>x</script> note",
            datetime(2024, 4, 30, tzinfo=UTC),
            date(2024, 5, 30),
            None,
        )
    ]
    view = make_view(qtbot, console, runner)
    open_customer(qtbot, view, console, 9)
    qtbot.waitUntil(lambda: loaded(view, "overview"))
    assert view.title.text() == f"{evil} <i>Doe</i>"
    assert view.title.textFormat() == Qt.TextFormat.PlainText
    assert view.values["city"].text() == "<h1>City</h1>"
    for label in view.findChildren(QLabel):
        if label.parent() is not None and label in view.values.values():
            assert label.textFormat() == Qt.TextFormat.PlainText
    view.show_tab("cases")
    qtbot.waitUntil(lambda: loaded(view, "cases"))
    assert view.cases.cell_texts()[0][5] == "<script>x</script> note"


def test_typing_in_the_search_is_not_blocked_by_a_slow_tab(
    qtbot, make_window, fake_console, runner
):
    window = make_window()
    field = window.search_panel.search_field
    reads = fake_console.view_reads
    reads.gate.clear()  # every tab read now waits on the worker
    summary = fake_console.lookup.summary(2)
    window.customer_panel.show_summary(summary)
    qtbot.waitUntil(lambda: runner.pending() >= 1)
    qtbot.keyClicks(field, "anna")
    # The keys reached the field while the tab's read still waits: the UI thread is free.
    assert field.text() == "anna"
    assert not loaded(window.customer_panel, "overview")
    reads.gate.set()
    qtbot.waitUntil(lambda: loaded(window.customer_panel, "overview"))
    assert window.customer_panel.values["billing_region"].text() == "CA"


class CountingUnmask:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls = 0

    def view(self, session: Any, case_id: int) -> Any:
        self.calls += 1
        return self._inner.view(session, case_id)


class WorldConsole:
    """The real console's 360 view and unmasking, the unmasking counted."""

    def __init__(self, world: CaseWorld) -> None:
        self.customer_view = world.console.customer_view
        self.unmask = CountingUnmask(world.console.unmask)


def _verify(world: CaseWorld, case_id: int, *, high: bool) -> None:
    rep = world.session("rep")
    svc = world.console.verification
    vid = svc.start(rep, case_id, request="data_copy" if high else None).verification_id
    svc.answer(rep, vid, "email", "jane.smith@example.org")
    svc.answer(rep, vid, "billing_postcode", "10001")
    if high:
        svc.answer(rep, vid, "last_order_total", "1899")
        svc.affirm(rep, vid)


def test_verification_unmasks_in_place_audited_once(qtbot, runner, ui_world):
    world = ui_world
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="copy"
    )
    console = WorldConsole(world)
    view = make_view(qtbot, console, runner, rep)
    summary = world.console.customers.open_customer(rep, JANE, "ui")
    view.show_summary(summary)
    for n, (key, _) in enumerate(TAB_TITLES):
        view.tabs.setCurrentIndex(n)
        qtbot.waitUntil(lambda key=key: loaded(view, key), timeout=10_000)
    text = all_text(view)
    for secret in JANE_SECRETS:
        assert secret not in text, secret
    assert view.values["billing_region"].text() == "—"  # the test shop has no regions
    assert view.cases.cell_texts()[0][:3] == [str(case.case_id), "access", "open"]
    activity = [row[2] for row in view.activity.cell_texts()]
    assert "Opened a case" in activity and "Viewed the customer (masked)" in activity

    # Verified at the standard level: contact data and addresses in place, orders still masked.
    _verify(world, case.case_id, high=False)
    view.set_verification(True, "standard", case.case_id)
    qtbot.waitUntil(lambda: view._unmasked is not None, timeout=10_000)
    assert view.values["email"].text() == "Jane.Smith@example.org"
    assert view.values["phone"].text() == "(212) 555-4990"
    assert view.values["postcode"].text() == "10001"
    assert view.notice.text() == "Verified caller (standard): contact data shown"
    assert view.addresses.cell_texts()[0][4] == "10001"
    assert "DN100000003" not in all_text(view)
    # Shown again, the tabs and the same verification fetch nothing more.
    view.set_verification(True, "standard", case.case_id)
    for n in range(len(TAB_TITLES)):
        view.tabs.setCurrentIndex(n)
    qtbot.waitUntil(lambda: runner.pending() == 0)
    assert console.unmask.calls == 1
    unmasked = [r for r in audit_rows(world.console) if r[0] == "customer.view_unmasked"]
    assert len(unmasked) == 1 and unmasked[0][2] == case.case_id

    # High: the orders with items, totals and the card's last four digits only.
    _verify(world, case.case_id, high=True)
    view.set_verification(True, "high", case.case_id)
    qtbot.waitUntil(lambda: view._unmasked is not None and view._unmasked.level.value == "high")
    view.show_tab("orders")
    rows = view.orders.cell_texts()
    assert rows[0][0] == "DN100000003"
    assert rows[0][3] == "1,899.00 USD"
    assert rows[0][4].endswith("•••• 1881")
    assert rows[1][0].startswith("1 × Solitaire")
    unmasked = [r for r in audit_rows(world.console) if r[0] == "customer.view_unmasked"]
    assert [r[3]["level"] for r in unmasked] == ["standard", "high"]

    # The verification ended: masked again at once.
    view.set_verification(False, None)
    assert view.values["email"].text() != "Jane.Smith@example.org"
    assert view.notice.text() == UNVERIFIED_NOTICE
    for secret in JANE_SECRETS:
        assert secret not in all_text(view), secret
