"""The pull's writes into the encrypted cache (``SqliteCacheStore``), one module per part:

- :mod:`.connection`: the one connection and the one transaction helper;
- :mod:`.layout`: the tables and indexes as the store's SQL needs them;
- :mod:`.incremental`: a batch of changed rows, touching only what changed;
- :mod:`.key_sets`: key totals, buckets, digests and recent rows, for finding deletes;
- :mod:`.run_log`: the ``sync_run`` log and the per-table state;
- :mod:`.shadow_load`: the full load through shadow tables, and recovery from a killed one;
- :mod:`.name_index`: the name index's segment merges after a run;
- :mod:`.cache_store`: ``SqliteCacheStore`` composing them.
"""

from __future__ import annotations

from csconsole.persistence.cache.store.cache_store import SqliteCacheStore
from csconsole.persistence.cache.store.shadow_load import ShadowLoad

__all__ = ["ShadowLoad", "SqliteCacheStore"]
