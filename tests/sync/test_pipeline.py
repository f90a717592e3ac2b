"""The reader thread beside the writer: order, errors, cancel, and a writer that stops early."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from csconsole.sync.pull.pipeline import Cancelled, Pipeline


def test_items_arrive_in_order_from_another_thread() -> None:
    threads: set[int] = set()

    def produce() -> Iterator[int]:
        threads.add(threading.get_ident())
        yield from range(100)

    with Pipeline(produce, depth=3) as pipe:
        assert list(pipe.items()) == list(range(100))
    assert threads and threading.get_ident() not in threads


def test_an_error_on_the_reader_is_raised_on_the_writer() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ConnectionError("lost")

    with Pipeline(produce) as pipe, pytest.raises(ConnectionError, match="lost"):
        list(pipe.items())


def test_cancel_stops_both_sides() -> None:
    produced: list[int] = []

    def produce() -> Iterator[int]:
        for n in range(10_000):
            produced.append(n)
            yield n

    seen: list[int] = []

    def consume(pipe: Pipeline) -> None:
        for item in pipe.items(cancelled=lambda: len(seen) >= 5):
            seen.append(item)

    with Pipeline(produce, depth=2) as pipe, pytest.raises(Cancelled):
        consume(pipe)
    assert len(seen) == 5
    assert len(produced) < 100  # the reader stopped too, held back by the full queue


def test_a_writer_that_stops_early_releases_the_reader() -> None:
    finished = threading.Event()

    def produce() -> Iterator[int]:
        try:
            yield from range(1_000_000)
        finally:
            finished.set()

    pipe = Pipeline(produce, depth=2)
    with pipe:
        for item in pipe.items():
            if item == 3:
                break
    started = time.monotonic()
    assert finished.wait(5)
    assert time.monotonic() - started < 5
