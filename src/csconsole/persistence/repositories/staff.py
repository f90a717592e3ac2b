"""The staff list (implements ``services.ports.StaffRepository``) in plain SQL, so the ORM unit
of work and the lean one of sign-in share it (``statements.Statements``).

The seam for more of a staff row at sign-in (a signing key, say): select it in ``_COLUMNS`` and
carry it on ``StaffRecord``; both units of work get it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from csconsole.domain.staff import Role
from csconsole.persistence.repositories.statements import Statements
from csconsole.persistence.stored_time import from_sql_time, sql_time
from csconsole.services.ports import Clock, StaffRecord

_COLUMNS = (
    "id, username, display_name, role, password_hash, failed_attempts, last_failure_at, active"
)
_SQL_BY_USERNAME = f"SELECT {_COLUMNS} FROM staff WHERE username = :username"  # noqa: S608
_SQL_ADD = (
    "INSERT INTO staff (username, display_name, role, password_hash, failed_attempts, active,"
    " created_at) VALUES (:username, :display_name, :role, :password_hash, 0, 1, :created_at)"
    " RETURNING id"
)
_SQL_FAILURE = (
    "UPDATE staff SET failed_attempts = failed_attempts + 1, last_failure_at = :at WHERE id = :id"
)
_SQL_SUCCESS = "UPDATE staff SET failed_attempts = 0, last_failure_at = NULL WHERE id = :id"
_SQL_REHASH = "UPDATE staff SET password_hash = :password_hash WHERE id = :id"


def _record(row: Sequence[Any]) -> StaffRecord:
    return StaffRecord(
        staff_id=int(row[0]),
        username=row[1],
        display_name=row[2],
        role=Role(row[3]),
        password_hash=row[4],
        failed_attempts=int(row[5]),
        last_failure_at=from_sql_time(row[6]),
        active=bool(row[7]),
    )


class SqlStaffRepository:
    def __init__(self, statements: Statements, clock: Clock) -> None:
        self._sql = statements
        self._clock = clock

    def by_username(self, username: str) -> StaffRecord | None:
        found = list(self._sql.rows(_SQL_BY_USERNAME, {"username": username}))
        return _record(found[0]) if found else None

    def add(self, username: str, display_name: str, role: Role, password_hash: str) -> int:
        [(staff_id,)] = list(
            self._sql.rows(
                _SQL_ADD,
                {
                    "username": username,
                    "display_name": display_name,
                    "role": role.value,
                    "password_hash": password_hash,
                    "created_at": sql_time(self._clock.now()),
                },
            )
        )
        return int(staff_id)

    def record_failure(self, staff_id: int, at: datetime) -> None:
        self._sql.run(_SQL_FAILURE, {"id": staff_id, "at": sql_time(at)})

    def record_success(self, staff_id: int, password_hash: str | None) -> None:
        self._sql.run(_SQL_SUCCESS, {"id": staff_id})
        if password_hash:
            self._sql.run(_SQL_REHASH, {"id": staff_id, "password_hash": password_hash})

    def count(self) -> int:
        [(n,)] = list(self._sql.rows("SELECT count(*) FROM staff"))
        return int(n)
