"""The SQL the staff list and the audit log run, past the ORM: one Protocol, two carriers.

The staff repository and the audit log are written once, in plain SQL with named parameters
(``:name``), and run either in an ORM unit of work's session (``unit_of_work.SessionStatements``)
or on a bare driver connection (:class:`DriverStatements`, which imports no SQLAlchemy: the
lean unit of work of sign-in and ``csconsole search``). Times are bound as text
(``stored_time.sql_time``) so both write the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

Params = Mapping[str, Any]


class Statements(Protocol):
    """Statements in the caller's transaction."""

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Sequence[Any]]:
        """The rows of a query (or of ``INSERT ... RETURNING``), as they are read."""
        ...

    def run(self, sql: str, params: Params | None = None) -> None: ...


class DriverStatements:
    """:class:`Statements` on a DB-API connection in the driver's default transaction mode (a
    write begins the transaction, as in SQLAlchemy's pool)."""

    def __init__(self, connection: Any) -> None:
        self._conn = connection

    def rows(self, sql: str, params: Params | None = None) -> Iterable[Sequence[Any]]:
        return self._conn.execute(sql, dict(params or {}))  # type: ignore[no-any-return]

    def run(self, sql: str, params: Params | None = None) -> None:
        self._conn.execute(sql, dict(params or {}))
