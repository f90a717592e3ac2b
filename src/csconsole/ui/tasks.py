"""Background work for the window: one worker thread for everything that touches the cache.

The SQLCipher connection of the search adapter must stay on one thread, and SQLite serialises
writers anyway, so the pool has exactly one thread that never expires. Tasks run in the order they
were submitted. A task is a plain function ``fn(ctx) -> result``; it may report progress through
``ctx.progress(done, total, text)`` and should poll ``ctx.cancelled`` in long loops.

Results, progress and errors are delivered on the UI thread through the ``TaskHandle``'s signals.
An error arrives as a one-line message fit for the window: a ``CsConsoleError``'s own text, or a
generic line naming only the exception type (a traceback or an arbitrary exception text may hold
personal data, so neither is ever shown; the frames, without values, go to the log). Beside the
message a failure carries its ``ErrorKind``, told from the exception's type, so a widget reacts to
a lock or a refusal without reading the message.

``LatestRequest`` is for widgets that load again whenever a filter or the search text changes:
only the newest request's outcome reaches them, an older one's is dropped.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from csconsole.domain.errors import (
    CsConsoleError,
    InvalidInput,
    Locked,
    NotFound,
    PermissionDenied,
    SessionEnded,
    SignInError,
)
from csconsole.sync.errors import ShopOffline

log = logging.getLogger(__name__)

T = TypeVar("T")
TaskFn = Callable[["TaskContext"], object]


class TaskCancelled(Exception):
    """Raised by ``TaskContext.check_cancelled``; the task ends quietly."""


class ErrorKind(Enum):
    """What kind of failure a task ended with, told from the exception's type."""

    LOCKED = "locked"  # e.g. verification of the customer is locked until a supervisor unlocks
    SESSION_ENDED = "session_ended"  # the signed-in person's staff row changed: sign in again
    REFUSED = "refused"  # not allowed: the role, another rep's case, a wrong password
    NOT_FOUND = "not_found"
    OFFLINE = "offline"  # the shop or the central ledger cannot be reached
    INVALID_INPUT = "invalid_input"  # what was typed or chosen; the message names the field
    FAILED = "failed"  # any other expected error; its message says why
    UNEXPECTED = "unexpected"  # a bug or an unforeseen error: a generic message, frames logged


# Most specific first: SessionEnded is a PermissionDenied, a QuestionNotAllowed both a
# verification refusal and a ValueError.
_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], ErrorKind], ...] = (
    (SessionEnded, ErrorKind.SESSION_ENDED),
    (Locked, ErrorKind.LOCKED),
    ((PermissionDenied, SignInError), ErrorKind.REFUSED),
    (NotFound, ErrorKind.NOT_FOUND),
    (ShopOffline, ErrorKind.OFFLINE),
    ((InvalidInput, ValueError), ErrorKind.INVALID_INPUT),
)


def error_kind(exc: BaseException) -> ErrorKind:
    if not isinstance(exc, CsConsoleError):
        return ErrorKind.UNEXPECTED  # a bare ValueError's text is not made for the window
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind
    return ErrorKind.FAILED


def error_message(exc: BaseException) -> str:
    """What the window may show about a failed task."""
    if isinstance(exc, CsConsoleError):
        return str(exc) or type(exc).__name__
    return (
        f"Something went wrong ({type(exc).__name__}). Try again; if it keeps happening, "
        "tell your administrator (the details are in the log)."
    )


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """How a task failed: its kind, and a one-line message fit for the window."""

    kind: ErrorKind
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> TaskFailure:
        return cls(error_kind(exc), error_message(exc))


class TaskContext:
    """What a running task sees: its cancel flag and a way to report progress."""

    def __init__(self, handle: TaskHandle) -> None:
        self._handle = handle

    @property
    def cancelled(self) -> bool:
        return self._handle.is_cancelled

    def check_cancelled(self) -> None:
        if self._handle.is_cancelled:
            raise TaskCancelled

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._handle._progress_from_worker.emit(done, total, text)


class TaskHandle(QObject):
    """One submitted task. Lives on the UI thread; its public signals fire there.

    ``finished(object)`` carries the task's return value, ``failed(object)`` a ``TaskFailure``,
    ``cancelled()`` fires instead of either once ``cancel()`` was called before delivery.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)  # TaskFailure
    cancelled = Signal()
    # Emitted on the worker thread; queued to the slots below on the UI thread.
    _progress_from_worker = Signal(int, int, str)
    _done_from_worker = Signal(bool, object)

    def __init__(self, name: str, fn: TaskFn, runner: TaskRunner) -> None:
        super().__init__()
        self.name = name
        self._fn = fn
        self._runner = runner
        self._cancel = threading.Event()
        self._done = False
        self._progress_from_worker.connect(
            self._deliver_progress, Qt.ConnectionType.QueuedConnection
        )
        self._done_from_worker.connect(self._deliver_done, Qt.ConnectionType.QueuedConnection)

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        """True once the result, error or cancellation was delivered."""
        return self._done

    def cancel(self) -> None:
        """Ask the task to stop; whatever it returns afterwards is dropped."""
        self._cancel.set()

    def _run_on_worker(self) -> None:
        if self._cancel.is_set():
            self._done_from_worker.emit(False, None)
            return
        try:
            result = self._fn(TaskContext(self))
        except TaskCancelled:
            self._done_from_worker.emit(False, None)
        except CsConsoleError as exc:  # expected, and its message is made for the user
            log.info("task %r ended with %s", self.name, type(exc).__name__)
            if isinstance(exc, SessionEnded):  # the window signs the person out (queued)
                self._runner.session_ended.emit()
            self._done_from_worker.emit(False, TaskFailure.of(exc))
        except BaseException as exc:  # every error must reach the UI as a message
            log.error(
                "task %r failed with %s:\n%s",
                self.name,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            self._done_from_worker.emit(False, TaskFailure.of(exc))
        else:
            self._done_from_worker.emit(True, result)

    @Slot(int, int, str)
    def _deliver_progress(self, done: int, total: int, text: str) -> None:
        if not self._done and not self._cancel.is_set():
            self.progress.emit(done, total, text)

    @Slot(bool, object)
    def _deliver_done(self, ok: bool, payload: object) -> None:
        self._done = True
        self._runner._forget(self)
        if self._cancel.is_set():
            self.cancelled.emit()
        elif ok:
            self.finished.emit(payload)
        elif isinstance(payload, TaskFailure):
            self.failed.emit(payload)
        else:
            self.cancelled.emit()


class TaskRunner(QObject):
    """Runs tasks one after another on a single worker thread that is kept for the app's life.

    ``session_ended`` is emitted (on the UI thread) when a task was refused because the
    signed-in person's staff row changed under the session (``SessionEnded``)."""

    session_ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # A pool thread normally expires after 30 s idle and a new one replaces it; the cache
        # connection must stay on one thread, so this one never expires.
        self._pool.setExpiryTimeout(-1)
        self._active: set[TaskHandle] = set()
        self._closed = False

    def submit(
        self,
        fn: Callable[[TaskContext], T],
        *,
        name: str = "task",
        on_finished: Callable[[T], None] | None = None,
        on_failed: Callable[[TaskFailure], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> TaskHandle:
        """Queue ``fn`` behind every task submitted before it; returns its handle."""
        handle = TaskHandle(name, fn, self)
        if on_finished is not None:
            handle.finished.connect(on_finished)
        if on_failed is not None:
            handle.failed.connect(on_failed)
        if on_progress is not None:
            handle.progress.connect(on_progress)
        if self._closed:
            handle.cancel()
        self._active.add(handle)
        self._pool.start(handle._run_on_worker)
        return handle

    def pending(self) -> int:
        """Tasks submitted whose outcome was not delivered yet."""
        return len(self._active)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (tests, shutdown). True if it is."""
        return self._pool.waitForDone(msecs)

    def run_and_wait(self, fn: Callable[[], object], msecs: int = 10_000) -> bool:
        """Run ``fn`` on the worker behind everything queued and block until it is done.

        For closing the cache at exit, when the event loop no longer delivers signals. Errors
        are logged (by type only), never raised.
        """

        def call(_ctx: TaskContext) -> None:
            fn()

        handle = TaskHandle("run_and_wait", call, self)
        self._pool.start(handle._run_on_worker)
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel everything not started, wait for the running task, refuse new ones."""
        self._closed = True
        for handle in list(self._active):
            handle.cancel()
        return self._pool.waitForDone(msecs)

    def _forget(self, handle: TaskHandle) -> None:
        self._active.discard(handle)


class LatestRequest:
    """ "The latest request wins": of the tasks submitted through it, only the newest one's
    outcome (result or failure) is delivered; an older one's is dropped and counted in
    ``dropped``. A slow load for the old filter can so never overwrite the new one's.

    ``supersede()`` makes whatever is in flight stale without asking anything new (the search
    text was cleared). With ``cancel_stale`` a superseded task is also cancelled, so it may not
    run at all: for reads that are not audited (an audited read that was asked for is kept).
    """

    def __init__(self, runner: TaskRunner, *, cancel_stale: bool = False) -> None:
        self._runner = runner
        self._cancel_stale = cancel_stale
        self._generation = 0
        self._in_flight: TaskHandle | None = None
        self.dropped = 0

    @property
    def generation(self) -> int:
        """The number of the newest request (or ``supersede`` call)."""
        return self._generation

    @property
    def in_flight(self) -> bool:
        """The newest request was submitted and its outcome not delivered yet."""
        return self._in_flight is not None and not self._in_flight.is_done

    def supersede(self) -> int:
        """Make every request so far stale; returns the new generation."""
        self._generation += 1
        stale = self._in_flight
        if self._cancel_stale and stale is not None and not stale.is_done:
            stale.cancel()
        self._in_flight = None
        return self._generation

    def submit(
        self,
        fn: Callable[[TaskContext], T],
        *,
        name: str,
        on_finished: Callable[[T], None],
        on_failed: Callable[[TaskFailure], None] | None = None,
    ) -> TaskHandle:
        """Submit ``fn`` as the newest request; every older one becomes stale."""
        generation = self.supersede()

        def finished(result: T) -> None:
            if self._is_current(generation):
                on_finished(result)

        def failed(failure: TaskFailure) -> None:
            if self._is_current(generation) and on_failed is not None:
                on_failed(failure)

        self._in_flight = self._runner.submit(fn, name=name, on_finished=finished, on_failed=failed)
        return self._in_flight

    def _is_current(self, generation: int) -> bool:
        if generation == self._generation:
            return True
        self.dropped += 1
        return False
