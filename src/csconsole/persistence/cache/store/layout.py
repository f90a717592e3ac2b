"""The cache tables the sync writes, as the store's SQL needs them: column order, secondary
indexes, shadow-table suffixes, and small helpers for ``IN (...)`` lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from csconsole.persistence.models import Base
from csconsole.sync.shop.cache_model import ENTITIES, Entity

NAME_INDEX = "customer_name_fts"
SHADOW = "__new"  # a full load fills these, then swaps them in
RETIRED = "__old"  # the live tables after the swap, until dropped
ROW_BOOKKEEPING_TABLES = ("sync_row_hash", "sync_row_issue")  # per row: digest, issue
IN_LIST_SIZE = 500
STATE_COLUMNS = (
    "entity, source_table, mode, watermark, watermark_key, row_count, key_sum, loaded_at, pulled_at"
)


def row_layout(entity: Entity) -> tuple[str, ...]:
    """The columns of an entity's cache table, in the order of a ``CacheRow``."""
    return ("id", *(c.name for c in entity.columns), *(d.name for d in entity.derived))


def shop_tables() -> list[str]:
    return [e.table for e in ENTITIES]


def secondary_indexes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(index name, table, columns) of every secondary index of the shop tables."""
    out = []
    for e in ENTITIES:
        table = Base.metadata.tables[e.table]
        for index in table.indexes:
            out.append((str(index.name), e.table, tuple(c.name for c in index.columns)))
    return out


def index_sql(name: str, table: str, columns: Sequence[str], *, if_not_exists: bool) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    guard = "IF NOT EXISTS " if if_not_exists else ""
    return f'CREATE INDEX {guard}"{name}" ON "{table}" ({cols})'


def chunks(items: Sequence[Any], size: int = IN_LIST_SIZE) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def placeholders(n: int) -> str:
    return ",".join("?" * n)
