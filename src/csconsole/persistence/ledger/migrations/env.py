"""Alembic environment of the central ledger: runs on the connection the console hands over.

The ledger may share a database with the shop's own tables, so only the console's tables are
compared, and the version table has its own name (``csconsole_ledger_version``).
"""

from __future__ import annotations

from typing import Any

from alembic import context

from csconsole.persistence.ledger import tables as ledger_tables  # noqa: F401  (declares the owned tables' central tables)
from csconsole.persistence.ledger.schema import VERSION_TABLE, ledger_metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table":
        return name in ledger_metadata.tables
    table = getattr(obj, "table", None)
    return table is None or table.name in ledger_metadata.tables


config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("ledger migrations run only through csconsole.persistence.ledger.migrate")

context.configure(
    connection=connection,
    target_metadata=ledger_metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
    include_object=include_object,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
