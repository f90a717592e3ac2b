"""The search vocabulary (the name index's words, for typo-tolerant names) is loaded on the
window's worker and forgotten by the sync thread after a sync. A load under way when the sync
forgets it must not store the words it read before the sync."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import cast

from csconsole.services.ports import CustomerLookup
from csconsole.services.search import SearchService

WAIT_S = 10


class BlockingVocabularyLookup:
    """Only the vocabulary read of ``CustomerLookup``; the first read takes its words, then
    waits until the test lets it return (so the test decides what happens meanwhile)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.reads = 0
        self.reading = threading.Event()
        self.release = threading.Event()

    def name_vocabulary(self) -> Sequence[str]:
        words = list(self.words)
        self.reads += 1
        if self.reads == 1:
            self.reading.set()
            assert self.release.wait(WAIT_S), "the test never released the read"
        return words


def load_while_a_sync_forgets(lookup: BlockingVocabularyLookup, service: SearchService) -> None:
    """The worker starts loading; the sync changes the names and forgets; the load returns."""
    worker = threading.Thread(target=service.vocabulary_buckets)
    worker.start()
    assert lookup.reading.wait(WAIT_S), "the worker never read the vocabulary"
    lookup.words = ["smith", "smyth"]  # the sync brought a new name
    service.forget_vocabulary()
    lookup.release.set()
    worker.join(WAIT_S)
    assert not worker.is_alive()


def test_a_load_under_way_does_not_store_the_vocabulary_from_before_the_sync() -> None:
    lookup = BlockingVocabularyLookup(["smith"])
    service = SearchService(cast(CustomerLookup, lookup))
    load_while_a_sync_forgets(lookup, service)
    assert service.vocabulary() == ["smith", "smyth"]
    assert service.vocabulary_buckets()[(5, "s")] == ["smith", "smyth"]
    assert lookup.reads == 2  # read again after the sync, once


def test_without_a_sync_the_vocabulary_is_read_once() -> None:
    lookup = BlockingVocabularyLookup(["smith"])
    lookup.release.set()
    service = SearchService(cast(CustomerLookup, lookup))
    assert service.vocabulary_buckets() == {(5, "s"): ["smith"]}
    assert service.vocabulary() == ["smith"]
    assert lookup.reads == 1
