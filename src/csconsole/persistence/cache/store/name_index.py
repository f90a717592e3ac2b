"""The name index (FTS5) during a sync: its segments are merged after the pull's last commit,
in bounded steps, never inside a pull's transactions."""

# ruff: noqa: S608 - the index's name is a constant, never input

from __future__ import annotations

import time

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.layout import NAME_INDEX

# Merges run in steps of this many pages, for at most this long per run.
NAME_MERGE_PAGES = 256
NAME_MERGE_S = 0.5


class NameIndexMerges:
    def __init__(self, connection: CacheConnection) -> None:
        self._db = connection
        self._manual_merges = False

    def merge_later(self) -> None:
        """Turn the name index's automatic merging off (once; the setting is kept in the
        index): FTS5 would otherwise merge segments inside whichever pull's commit crosses
        its threshold, rewriting up to the whole index (7,000 pages at 1M customers) before
        the pull's changes become visible. ``merge`` does that work instead, in bounded
        steps after the pull's last commit."""
        if self._manual_merges:
            return
        row = self._db.execute(
            f"SELECT v FROM {NAME_INDEX}_config WHERE k = 'automerge'"
        ).fetchone()
        if row is None or row[0] != 0:
            self._db.execute(
                f"INSERT INTO {NAME_INDEX}({NAME_INDEX}, rank) VALUES ('automerge', 0)"
            )
        self._manual_merges = True

    def merge(self, budget_s: float = NAME_MERGE_S) -> int:
        """Merge the name index's segments, a few pages per transaction, until nothing is left
        to merge or ``budget_s`` is spent; returns the steps that did work. Searches see the
        same rows before and after; what is left is done by the next run."""
        self._db.rollback()
        steps = 0
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            with self._db.transaction():
                before = self._db.total_changes
                self._db.execute(
                    f"INSERT INTO {NAME_INDEX}({NAME_INDEX}, rank) VALUES ('merge', ?)",
                    (NAME_MERGE_PAGES,),
                )
                worked = self._db.total_changes - before >= 2  # FTS5's documented signal
            if not worked:
                break
            steps += 1
        return steps
