"""Shop reading beside cache writing: a producer of items (shop rows, read in batches) runs
on a reader thread of its own; the calling thread consumes them and alone touches the cache.

A bounded queue sits between the two: a slow writer slows the reader instead of filling
memory. An exception on the reader is raised again on the writer; a writer that stops (an
error, a cancel) stops the reader.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

_END = object()
_POLL_S = 0.2

Producer = Callable[[], Iterator[Any]]


class Cancelled(Exception):
    pass


class Pipeline:
    def __init__(self, producer: Producer, *, depth: int = 6) -> None:
        self._producer = producer
        self._queue: queue.Queue[Any] = queue.Queue(depth)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="csconsole-shop-reader", daemon=True)
        self._started = False

    # --- reader side ------------------------------------------------------------------------

    def _put(self, item: object) -> None:
        while True:
            if self._stop.is_set():
                raise Cancelled
            try:
                self._queue.put(item, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            for item in self._producer():
                self._put(item)
        except Cancelled:
            pass
        except BaseException as exc:  # handed to the writer, which raises it
            self._error = exc
        finally:
            while True:
                try:
                    self._queue.put(_END, timeout=_POLL_S)
                    break
                except queue.Full:
                    if self._stop.is_set():
                        self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            return

    # --- writer side ------------------------------------------------------------------------

    def __enter__(self) -> Pipeline:
        self._thread.start()
        self._started = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def items(self, cancelled: Callable[[], bool] | None = None) -> Iterator[Any]:
        while True:
            if cancelled is not None and cancelled():
                self.stop()
                raise Cancelled
            try:
                item = self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                self._thread.join()
                if self._error is not None:
                    raise self._error
                return
            yield item

    def ready(self) -> bool:
        """Whether an item is waiting, so that the next ``items`` step will not block."""
        return not self._queue.empty()

    def stop(self) -> None:
        """Tell the reader to stop and wait for it (it notices within a fraction of a second,
        or when the driver call it is in returns)."""
        self._stop.set()
        if self._started:
            self._drain()
            self._thread.join(timeout=30)
