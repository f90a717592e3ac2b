"""The background sync and its status-bar indicator: off the window thread, progress, cancel,
offline with backoff, and a real sync of a demo shop."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow

from csconsole.sync.errors import ShopOffline, SyncCancelled, SyncError
from csconsole.sync.status import SyncStatus
from csconsole.ui.sync_status import SyncController, SyncStatusWidget, attach_sync_status
from tests.ui.ui_fakes import VirtualTimer

OK = SyncStatus(last_ok_at=datetime(2026, 3, 4, 10, 42), last_outcome="ok", pending_outbox=2)


@pytest.fixture
def controllers(qtbot) -> Any:  # type: ignore[no-untyped-def]
    made: list[SyncController] = []

    def make(sync_fn: Any, status_fn: Any = None, **kwargs: Any) -> SyncController:
        controller = SyncController(sync_fn, status_fn, **kwargs)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        assert controller.shutdown(10_000)


def test_sync_runs_off_the_window_thread_with_progress(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    threads: list[int] = []
    clock = [1000.0]  # the progress limiter's clock: each step of the fake sync takes 0.12 s

    def sync(progress: Any, cancelled: Any) -> str:
        threads.append(threading.get_ident())
        for n in range(5):
            progress("reading customers", n, 4)
            clock[0] += 0.12
        return "report"

    controller = controllers(sync, lambda: OK, interval_s=3600, monotonic=lambda: clock[0])
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    seen: list[tuple[str, int, int]] = []
    controller.progress.connect(lambda *a: seen.append(a))
    with qtbot.waitSignal(controller.finished, timeout=10_000) as done:
        assert controller.start()
        assert not controller.start()  # one at a time
        assert widget.bar.isVisibleTo(widget) and widget.cancel_button.isVisibleTo(widget)
    assert threads and threads[0] != threading.get_ident()
    assert done.args[0].kind == "ok" and done.args[0].report == "report"
    assert seen and seen[-1] == ("reading customers", 4, 4)
    assert widget.label.text() == "Synced 04 Mar 10:42 · 2 to send"
    assert not widget.bar.isVisibleTo(widget)
    assert controller.next_in_ms == 3_600_000


def test_offline_says_so_and_retries_with_growing_waits(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    timer = VirtualTimer()
    calls: list[int] = []  # the virtual time of each sync

    def sync(progress: Any, cancelled: Any) -> None:
        calls.append(timer.now_ms)
        if len(calls) < 3:
            raise ShopOffline("Cannot reach the shop database postgresql://x:***@db/shop.")

    def status() -> SyncStatus:
        outcome = "offline" if len(calls) < 3 else "ok"
        return SyncStatus(last_ok_at=datetime(2026, 3, 4, 9, 0), last_outcome=outcome)

    controller = controllers(sync, status, interval_s=3600, backoff_s=(0.2, 0.6), timer=timer)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    waits: list[int | None] = []
    controller.finished.connect(lambda _o: waits.append(controller.next_in_ms))
    with qtbot.waitSignal(controller.finished, timeout=5_000):
        controller.start()
    assert widget.label.text().startswith("Offline — working from the local cache")
    assert waits == [200]
    timer.advance(199)
    assert calls == [0] and not controller.running  # not retried before its time
    with qtbot.waitSignal(controller.finished, timeout=5_000):
        timer.advance(1)
    assert calls == [0, 200]
    assert waits == [200, 600]
    timer.advance(599)
    assert calls == [0, 200]
    with qtbot.waitSignal(controller.finished, timeout=5_000):
        timer.advance(1)
    assert calls == [0, 200, 800]
    assert waits == [200, 600, 3_600_000]  # back online: the normal interval
    assert widget.label.text() == "Synced 04 Mar 09:00"


def test_cancel_stops_the_sync(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    def sync(progress: Any, cancelled: Any) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if cancelled():
                raise SyncCancelled("The sync was cancelled; the cache keeps what it had.")
            progress("reading orders", 0, 0)
            time.sleep(0.02)

    runs: list[str] = []  # the sync log's last outcome, as the status reads it

    def status() -> SyncStatus:
        return SyncStatus(last_ok_at=datetime(2026, 3, 4, 9, 0), last_outcome=runs[-1])

    controller = controllers(sync, status, interval_s=3600)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    runs.append("ok")
    with qtbot.waitSignal(controller.finished, timeout=10_000) as done:
        controller.start()
        qtbot.waitUntil(lambda: widget.label.text() == "Syncing: reading orders", timeout=5_000)
        runs.append("cancelled")
        widget.cancel_button.click()
    assert done.args[0].kind == "cancelled"
    assert not controller.running
    assert "cancelled" in widget.label.text()
    # Then the status is read again: it still says so, with the last good sync (it said
    # "Synced ..." before, as if the cancelled run had not happened).
    qtbot.waitUntil(lambda: widget.status is not None, timeout=5_000)
    assert widget.label.text() == (
        "Sync cancelled; the cache keeps what it had · last good 04 Mar 09:00"
    )


def test_a_failed_sync_shows_its_reason(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    def sync(progress: Any, cancelled: Any) -> None:
        raise SyncError("The shop database does not match the mapping 'magento2': ...")

    controller = controllers(sync, interval_s=3600)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(controller.failed, timeout=5_000) as failed:
        controller.start()
    assert "does not match the mapping" in failed.args[0]
    assert widget.label.text() == "Sync failed"
    assert "does not match" in widget.label.toolTip()


def test_attach_puts_it_in_the_status_bar(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    controller = controllers(lambda **_: None, lambda: OK, auto=False)
    with qtbot.waitSignal(controller.status_changed, timeout=5_000):
        widget = attach_sync_status(window, controller)
    assert window.statusBar().findChild(SyncStatusWidget) is widget
    assert widget.label.text().startswith("Synced")


def test_a_real_sync_of_the_demo_shop(  # type: ignore[no-untyped-def]
    qtbot, controllers, paths, secret_store, demo_template: Path, tmp_path: Path
) -> None:
    import shutil

    from csconsole.adapters.settings_file import save_settings
    from csconsole.app import Console
    from csconsole.services.settings import Settings

    shop = tmp_path / "shop.sqlite"
    shutil.copyfile(demo_template, shop)
    save_settings(paths, Settings(shop_url=f"sqlite:///{shop}"))
    console = Console.open(paths, secret_store, create=True)
    try:

        def sync(**kwargs: Any) -> Any:
            return console.sync.run(push=False, **kwargs)

        controller = controllers(sync, console.sync.status, interval_s=3600)
        widget = SyncStatusWidget(controller)
        qtbot.addWidget(widget)
        with qtbot.waitSignal(controller.finished, timeout=30_000) as done:
            controller.start(full=True)
        assert done.args[0].kind == "ok"
        assert done.args[0].report.pull.tables["customers"].written == 400
        assert widget.label.text().startswith("Synced ")
        import sqlite3

        con = sqlite3.connect(shop)
        email = con.execute("SELECT email FROM customers WHERE customer_id = 1").fetchone()[0]
        con.close()
        assert [h.customer_id for h in console.search.search(email)] == [1]
    finally:
        controller.shutdown()
        console.close()


def test_progress_reaches_the_window_at_most_every_tenth_of_a_second(qtbot, controllers) -> None:  # type: ignore[no-untyped-def]
    clock = [50.0]

    def sync(progress: Any, cancelled: Any) -> str:
        for n in range(1, 21):  # 20 steps of 1/64 s (exact in binary, so no rounding at 0.1 s)
            clock[0] += 1 / 64
            progress("reading orders", n, 20)
        return "report"

    controller = controllers(sync, lambda: OK, interval_s=3600, monotonic=lambda: clock[0])
    seen: list[tuple[str, int, int]] = []
    controller.progress.connect(lambda *a: seen.append(a))
    with qtbot.waitSignal(controller.finished, timeout=10_000):
        assert controller.start()
    # The first step, then the first step at least 0.1 s (7 steps) after the last one shown, and
    # the last (done == total) always.
    assert [done for _, done, _ in seen] == [1, 8, 15, 20]
