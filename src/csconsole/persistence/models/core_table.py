"""A mapped class's ``Table``, typed as one, for Core statements (bulk inserts, updates).

SQLAlchemy types ``Model.__table__`` as a ``FromClause`` (a mapping may be onto a join or a
select); every model here maps one table, which this checks.
"""

from __future__ import annotations

from sqlalchemy import Table

from csconsole.persistence.models.base import Base


def core_table(model: type[Base]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):  # pragma: no cover  (no model maps anything else)
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table
