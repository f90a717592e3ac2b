"""``SqliteCacheStore``: the pull's writes into the encrypted cache, implementing
``sync.pull.cache_port.CacheStore`` by composing the parts of this package on one connection:
incremental batches (:mod:`.incremental`), key sets (:mod:`.key_sets`), the run log
(:mod:`.run_log`), the full load through shadow tables (:mod:`.shadow_load`) and the name
index's merges (:mod:`.name_index`)."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine

from csconsole.persistence.cache.store.connection import CacheConnection
from csconsole.persistence.cache.store.incremental import IncrementalApply
from csconsole.persistence.cache.store.key_sets import KeySets
from csconsole.persistence.cache.store.name_index import NAME_MERGE_S, NameIndexMerges
from csconsole.persistence.cache.store.run_log import RunLog, SyncLock
from csconsole.persistence.cache.store.shadow_load import ShadowLoad, recover
from csconsole.persistence.stored_time import naive_utc
from csconsole.services.ports import Clock
from csconsole.sync.errors import SyncError
from csconsole.sync.pull.cache_port import ApplyBatch, ApplyResult, TableState


class SqliteCacheStore:
    """``CacheStore`` on the encrypted cache. Everything runs on one DB-API connection, on the
    thread that created the store; "now" comes from ``clock``."""

    def __init__(self, engine: Engine, *, clock: Clock) -> None:
        self.connection = CacheConnection(engine)
        self._clock = clock
        self.name_index = NameIndexMerges(self.connection)
        self._incremental = IncrementalApply(self.connection, self.name_index, self._stamp)
        self._key_sets = KeySets(self.connection)
        self._run_log = RunLog(self.connection, self._stamp)
        database = engine.url.database
        self._lock = SyncLock(Path(f"{database}.sync-lock") if database else None)

    def _stamp(self) -> str:
        """Now, as the cache's own SQL stores a time: naive UTC to the second."""
        return naive_utc(self._clock.now()).isoformat(" ", timespec="seconds")

    def close(self) -> None:
        self.connection.close()
        self._lock.release()

    def recover(self) -> None:
        """Before a run: take the sync lock (refused while another sync runs on this cache),
        then clear what a killed run left: its shadow tables and its run row."""
        first = not self._lock.held
        if not self._lock.acquire():
            raise SyncError(
                "Another sync is running on this desk (the window's or a `csconsole sync`); "
                "this one did not start. Try again when it has finished."
            )
        recover(self.connection)
        if first:
            self._run_log.close_interrupted()

    # --- state and the run log -------------------------------------------------------------

    def states(self) -> dict[str, TableState]:
        return self._run_log.states()

    def meta(self) -> dict[str, str]:
        return self._run_log.meta()

    def start_run(self, kind: str, source: str, mapping: str) -> int:
        return self._run_log.start_run(kind, source, mapping)

    def end_run(
        self,
        run_id: int,
        status: str,
        counts: Mapping[str, int],
        message: str | None,
        kind: str | None = None,
    ) -> None:
        self._run_log.end_run(run_id, status, counts, message, kind)

    # --- loading ---------------------------------------------------------------------------

    def begin_full_load(self) -> ShadowLoad:
        self.recover()
        return ShadowLoad(self.connection, self._stamp)

    def apply(self, batch: ApplyBatch) -> ApplyResult:
        return self._incremental.apply(batch)

    # --- key sets --------------------------------------------------------------------------

    def skipped_totals(self, entity: str) -> tuple[int, int]:
        return self._key_sets.skipped_totals(entity)

    def issue_keys(self, entity: str, limit: int) -> list[int]:
        return self._key_sets.issue_keys(entity, limit)

    def key_buckets(self, entity: str, width: int) -> dict[int, tuple[int, int]]:
        return self._key_sets.key_buckets(entity, width)

    def keys_between(self, entity: str, lo: int, hi: int) -> list[int]:
        return self._key_sets.keys_between(entity, lo, hi)

    def recount(self, entity: str) -> None:
        self._key_sets.recount(entity)

    def digests(self, entity: str) -> tuple[array[int], array[int]]:
        return self._key_sets.digests(entity)

    def recent(self, entity: str) -> dict[int, int]:
        return self._key_sets.recent(entity)

    def replace_recent(
        self, entity: str, digests: Mapping[int, int], previous: Mapping[int, int] | None = None
    ) -> None:
        self._key_sets.replace_recent(entity, digests, previous)

    # --- after the run ---------------------------------------------------------------------

    def merge_names(self, budget_s: float = NAME_MERGE_S) -> int:
        return self.name_index.merge(budget_s)

    def checkpoint(self) -> None:
        """Housekeeping after the run's last commit, on the sync thread: merge the name
        index's segments (bounded, ``merge_names``), then fold the write-ahead log into the
        file now instead of at some window thread's next commit."""
        self.connection.rollback()
        self.merge_names()
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
