"""The task runner: one worker thread, results on the UI thread, errors as safe messages with
their kind; "the latest request wins"."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread

from csconsole.domain.errors import (
    CacheError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    SessionEnded,
    SignInError,
)
from csconsole.domain.verification import (
    QuestionNotAllowed,
    VerificationError,
    VerificationLocked,
)
from csconsole.sync.errors import ShopOffline
from csconsole.ui.tasks import (
    ErrorKind,
    LatestRequest,
    TaskFailure,
    TaskRunner,
    error_kind,
    error_message,
)


def test_tasks_run_in_order_on_one_worker_thread_and_deliver_on_the_ui_thread(qtbot, runner):
    worker_threads: list[int] = []
    delivered: list[tuple[int, bool]] = []

    def task(number: int):
        def run(_ctx):
            worker_threads.append(threading.get_ident())
            return number

        return run

    def on_finished(value):
        delivered.append((value, QThread.currentThread() is qtbot_thread))

    qtbot_thread = QThread.currentThread()
    handles = [runner.submit(task(n), on_finished=on_finished) for n in range(5)]
    qtbot.waitUntil(lambda: len(delivered) == 5)
    assert [value for value, _ in delivered] == [0, 1, 2, 3, 4]
    assert all(on_ui for _, on_ui in delivered)
    assert len(set(worker_threads)) == 1
    assert worker_threads[0] != threading.get_ident()
    assert all(h.is_done for h in handles)
    assert runner.pending() == 0


def test_a_user_facing_error_arrives_as_its_message(qtbot, runner):
    def fail(_ctx):
        raise CacheError("The local cache cache.db cannot be opened: wrong key.")

    handle = runner.submit(fail)
    with qtbot.waitSignal(handle.failed) as blocker:
        pass
    assert blocker.args == [
        TaskFailure(ErrorKind.FAILED, "The local cache cache.db cannot be opened: wrong key.")
    ]


def test_an_unexpected_error_never_shows_its_text(qtbot, runner, caplog):
    personal = "".join(["jane.doe", "@example.com +1 415 555 ", "4990"])

    def fail(_ctx):
        raise ValueError(personal)

    handle = runner.submit(fail, name="leaky")
    with qtbot.waitSignal(handle.failed) as blocker:
        pass
    (failure,) = blocker.args
    assert failure.kind is ErrorKind.UNEXPECTED
    message = failure.message
    assert "ValueError" in message
    assert "jane" not in message and "4990" not in message
    # The log gets the frames and the type, not the exception's text either.
    assert "leaky" in caplog.text
    assert "jane" not in caplog.text


def test_cancel_before_start_skips_the_task(qtbot, runner):
    gate = threading.Event()
    ran: list[str] = []

    def blocker(_ctx):
        gate.wait(5)
        ran.append("blocker")

    def second(_ctx):
        ran.append("second")
        return "should not arrive"

    runner.submit(blocker)
    handle = runner.submit(second)
    finished: list[object] = []
    handle.finished.connect(finished.append)
    handle.cancel()
    with qtbot.waitSignal(handle.cancelled):
        gate.set()
    assert ran == ["blocker"]
    assert finished == []


def test_a_running_task_sees_the_cancel_flag_and_its_result_is_dropped(qtbot, runner):
    started = threading.Event()
    seen: list[bool] = []

    def long(ctx):
        started.set()
        for _ in range(500):
            if ctx.cancelled:
                seen.append(True)
                ctx.check_cancelled()
            threading.Event().wait(0.01)
        return "too late"

    handle = runner.submit(long)
    finished: list[object] = []
    handle.finished.connect(finished.append)
    assert started.wait(5)
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        handle.cancel()
    assert seen == [True]
    assert finished == []


def test_progress_is_reported(qtbot, runner):
    def counting(ctx):
        for i in range(1, 4):
            ctx.progress(i, 3, f"step {i}")
        return "done"

    steps: list[tuple[int, int, str]] = []
    handle = runner.submit(counting, on_progress=lambda *a: steps.append(a))
    with qtbot.waitSignal(handle.finished) as blocker:
        pass
    qtbot.waitUntil(lambda: len(steps) == 3)
    assert steps == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert blocker.args == ["done"]


def test_shutdown_cancels_what_has_not_started_and_refuses_new_work(qtbot):
    task_runner = TaskRunner()
    started, gate = threading.Event(), threading.Event()
    ran: list[int] = []

    def first(_ctx):
        started.set()
        gate.wait(5)
        ran.append(1)

    task_runner.submit(first)
    queued = task_runner.submit(lambda _ctx: ran.append(2))
    assert started.wait(5)
    threading.Timer(0.1, gate.set).start()  # released while shutdown() waits
    assert task_runner.shutdown(5000)
    late = task_runner.submit(lambda _ctx: ran.append(3))
    with qtbot.waitSignals([queued.cancelled, late.cancelled]):
        pass
    assert ran == [1]


def test_the_worker_thread_never_expires():
    task_runner = TaskRunner()
    assert task_runner._pool.maxThreadCount() == 1
    assert task_runner._pool.expiryTimeout() < 0


def test_error_message_keeps_only_console_errors():
    assert error_message(CacheError("no key")) == "no key"
    assert "secret" not in error_message(RuntimeError("secret"))


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (VerificationLocked("Verification of this customer is locked."), ErrorKind.LOCKED),
        (SessionEnded("Sign in again."), ErrorKind.SESSION_ENDED),
        (PermissionDenied("This case is in another rep's queue."), ErrorKind.REFUSED),
        (SignInError("Unknown user name or wrong password."), ErrorKind.REFUSED),
        (NotFound("There is no case 7."), ErrorKind.NOT_FOUND),
        (ShopOffline("The shop database cannot be reached."), ErrorKind.OFFLINE),
        (InvalidInput("summary: say briefly what the caller asks for"), ErrorKind.INVALID_INPUT),
        (QuestionNotAllowed("not this question"), ErrorKind.INVALID_INPUT),
        (VerificationError("This verification has expired."), ErrorKind.FAILED),
        (CacheError("no key"), ErrorKind.FAILED),
        (ValueError("a bare ValueError"), ErrorKind.UNEXPECTED),
        (KeyError("x"), ErrorKind.UNEXPECTED),
    ],
)
def test_the_kind_is_told_from_the_exception_type(error, kind):
    assert error_kind(error) is kind


def test_a_failure_carries_its_kind_to_the_ui_thread(qtbot, runner):
    def fail(_ctx):
        raise VerificationLocked("Verification of this customer is locked; ask a supervisor.")

    failures: list[TaskFailure] = []
    handle = runner.submit(fail, on_failed=failures.append)
    with qtbot.waitSignal(handle.failed):
        pass
    assert failures == [
        TaskFailure(ErrorKind.LOCKED, "Verification of this customer is locked; ask a supervisor.")
    ]


# --- the latest request wins -----------------------------------------------------------------


def gated(gate: threading.Event, value: str):
    def run(_ctx):
        assert gate.wait(5)
        return value

    return run


def test_only_the_newest_result_is_delivered(qtbot, runner):
    latest = LatestRequest(runner)
    shown: list[str] = []
    gate = threading.Event()
    old = latest.submit(gated(gate, "old filter"), name="load", on_finished=shown.append)
    new = latest.submit(lambda _ctx: "new filter", name="load", on_finished=shown.append)
    assert latest.in_flight
    with qtbot.waitSignals([old.finished, new.finished]):  # both ran; only one is shown
        gate.set()
    assert shown == ["new filter"]
    assert latest.dropped == 1
    assert not latest.in_flight


def test_a_stale_failure_is_dropped_and_a_current_one_delivered(qtbot, runner):
    latest = LatestRequest(runner)
    failures: list[TaskFailure] = []
    results: list[object] = []

    def fail(_ctx):
        raise NotFound("There is no case 7.")

    stale = latest.submit(fail, name="load", on_finished=results.append, on_failed=failures.append)
    current = latest.submit(
        fail, name="load", on_finished=results.append, on_failed=failures.append
    )
    with qtbot.waitSignals([stale.failed, current.failed]):
        pass
    assert failures == [TaskFailure(ErrorKind.NOT_FOUND, "There is no case 7.")]
    assert results == []
    assert latest.dropped == 1


def test_supersede_drops_what_is_in_flight_without_asking_anything(qtbot, runner):
    latest = LatestRequest(runner)
    shown: list[str] = []
    handle = latest.submit(lambda _ctx: "cleared", name="search", on_finished=shown.append)
    generation = latest.generation
    assert latest.supersede() == generation + 1
    assert not latest.in_flight
    with qtbot.waitSignal(handle.finished):  # not cancelled: the task still ran
        pass
    assert shown == []
    assert latest.dropped == 1


def test_cancel_stale_cancels_the_superseded_task(qtbot, runner):
    latest = LatestRequest(runner, cancel_stale=True)
    gate = threading.Event()
    ran: list[str] = []
    shown: list[str] = []
    runner.submit(lambda _ctx: gate.wait(5))  # holds the worker

    def task(value: str):
        def run(_ctx):
            ran.append(value)
            return value

        return run

    stale = latest.submit(task("ann"), name="search", on_finished=shown.append)
    current = latest.submit(task("anna smith"), name="search", on_finished=shown.append)
    assert stale.is_cancelled and not current.is_cancelled
    with qtbot.waitSignals([stale.cancelled, current.finished]):
        gate.set()
    assert ran == ["anna smith"]  # the stale search never ran
    assert shown == ["anna smith"]
