"""Alembic environment: runs on the connection the console hands over (the cache is encrypted,
so Alembic never opens the file itself)."""

from __future__ import annotations

from typing import Any

from alembic import context

from csconsole.persistence.ledger import tables as ledger_tables  # noqa: F401  (declares the replica_<table> tables)
from csconsole.persistence.models import Base

# FTS5 tables and their shadow tables live outside the ORM metadata.
_UNMANAGED_PREFIXES = ("customer_name_fts", "customer_name_vocab")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(_UNMANAGED_PREFIXES))


config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("csconsole migrations run only through csconsole.persistence.cache.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
