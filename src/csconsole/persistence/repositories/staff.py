"""The staff list (implements ``services.ports.StaffRepository``) in plain SQL, so the ORM unit
of work and the lean one of sign-in share it (``statements.Statements``).

A row's signed part (``domain.signing.SignedStaffRow``) is written only whole, signed
(``add_signed``, ``save_signed``); the root's public key is pinned in ``cache_meta``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from csconsole.domain.signing import SignedStaffRow
from csconsole.domain.staff import Role
from csconsole.persistence.repositories.statements import Statements
from csconsole.persistence.stored_time import from_sql_time, sql_time
from csconsole.services.ports import Clock, StaffRecord

_COLUMNS = (
    "id, username, display_name, role, password_hash, failed_attempts, last_failure_at, active,"
    " public_key, sealed_key, signed_by, signature"
)
_SIGNED = (
    "username, display_name, role, password_hash, active, public_key, sealed_key, signed_by,"
    " signature"
)
_SQL_BY_USERNAME = f"SELECT {_COLUMNS} FROM staff WHERE username = :username"  # noqa: S608
_SQL_ADD = (
    "INSERT INTO staff (username, display_name, role, password_hash, failed_attempts, active,"
    " created_at, public_key, sealed_key, signed_by, signature) VALUES (:username,"
    " :display_name, :role, :password_hash, 0, :active, :created_at, :public_key, :sealed_key,"
    " :signed_by, :signature) RETURNING id"
)
_SQL_SAVE = (
    "UPDATE staff SET display_name = :display_name, role = :role, password_hash ="
    " :password_hash, active = :active, public_key = :public_key, sealed_key = :sealed_key,"
    " signed_by = :signed_by, signature = :signature WHERE username = :username"
)
_SQL_SIGNED = f"SELECT {_SIGNED} FROM staff ORDER BY created_at, id"  # noqa: S608
_SQL_ROOT = "SELECT value FROM cache_meta WHERE key = 'staff_root_key'"
_SQL_SET_ROOT = (
    "INSERT INTO cache_meta (key, value) VALUES ('staff_root_key', :value)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
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
        public_key=row[8],
        sealed_key=row[9],
        signed_by=row[10],
        signature=row[11],
    )


def signed_staff_row(row: Sequence[Any]) -> SignedStaffRow:
    """A row of ``_SIGNED``'s columns (also the order ``replication.signed_rows`` reads)."""
    return SignedStaffRow(
        username=row[0],
        display_name=row[1],
        role=row[2],
        password_hash=row[3],
        active=bool(row[4]),
        public_key=row[5],
        sealed_key=row[6],
        signed_by=row[7],
        signature=row[8],
    )


def _params(row: SignedStaffRow) -> dict[str, Any]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "password_hash": row.password_hash,
        "active": int(row.active),
        "public_key": row.public_key,
        "sealed_key": row.sealed_key,
        "signed_by": row.signed_by,
        "signature": row.signature,
    }


class SqlStaffRepository:
    def __init__(self, statements: Statements, clock: Clock) -> None:
        self._sql = statements
        self._clock = clock

    def by_username(self, username: str) -> StaffRecord | None:
        found = list(self._sql.rows(_SQL_BY_USERNAME, {"username": username}))
        return _record(found[0]) if found else None

    def add_signed(self, row: SignedStaffRow) -> int:
        params = {**_params(row), "created_at": sql_time(self._clock.now())}
        [(staff_id,)] = list(self._sql.rows(_SQL_ADD, params))
        return int(staff_id)

    def save_signed(self, row: SignedStaffRow) -> None:
        self._sql.run(_SQL_SAVE, _params(row))

    def signed_rows(self) -> list[SignedStaffRow]:
        return [signed_staff_row(r) for r in self._sql.rows(_SQL_SIGNED)]

    def root_key(self) -> str | None:
        found = list(self._sql.rows(_SQL_ROOT))
        return str(found[0][0]) if found else None

    def set_root_key(self, public_key: str) -> None:
        self._sql.run(_SQL_SET_ROOT, {"value": public_key})

    def record_failure(self, staff_id: int, at: datetime) -> None:
        self._sql.run(_SQL_FAILURE, {"id": staff_id, "at": sql_time(at)})

    def record_success(self, staff_id: int, password_hash: str | None) -> None:
        self._sql.run(_SQL_SUCCESS, {"id": staff_id})
        if password_hash:
            self._sql.run(_SQL_REHASH, {"id": staff_id, "password_hash": password_hash})

    def count(self) -> int:
        [(n,)] = list(self._sql.rows("SELECT count(*) FROM staff"))
        return int(n)
