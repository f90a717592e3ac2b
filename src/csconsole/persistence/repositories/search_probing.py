"""The search-probing tripwire's rows (``persistence/models/search_probing.py``) in plain SQL,
so ``csconsole search`` keeps running on the lean unit of work without the ORM; and that unit of
work with the tripwire's repository on the same connection (a stop and its audit event commit
together)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Self

from csconsole.domain.probing import TraceEntry
from csconsole.persistence.repositories.driver_unit_of_work import (
    DriverUnitOfWork,
    DriverUnitOfWorkFactory,
)
from csconsole.persistence.repositories.statements import DriverStatements, Statements
from csconsole.persistence.stored_time import from_sql_time, sql_time
from csconsole.services.search_probing import StopRecord

_STOP_COLUMNS = (
    "id, username, stopped_at, reason, searches, customer_id, lock_id, cleared_at, cleared_by"
)


def _ids(values: Sequence[int]) -> str:
    return ",".join(str(v) for v in values)


def _parse_ids(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",") if v)


def _stop(row: Sequence[object]) -> StopRecord:
    stopped_at = from_sql_time(row[2])
    assert stopped_at is not None
    return StopRecord(
        stop_id=int(row[0]),  # type: ignore[call-overload]
        username=str(row[1]),
        stopped_at=stopped_at,
        reason=str(row[3]),
        searches=int(row[4]),  # type: ignore[call-overload]
        customer_id=None if row[5] is None else int(row[5]),  # type: ignore[call-overload]
        lock_id=None if row[6] is None else int(row[6]),  # type: ignore[call-overload]
        cleared_at=from_sql_time(row[7]),
        cleared_by=None if row[8] is None else str(row[8]),
    )


class SqlSearchProbing:
    """Implements ``services.search_probing.SearchProbingRepository``."""

    def __init__(self, sql: Statements) -> None:
        self._sql = sql

    def salt(self) -> bytes:
        rows = list(self._sql.rows("SELECT salt FROM search_trace_key WHERE id = 1"))
        if rows:
            return bytes.fromhex(str(rows[0][0]))
        salt = secrets.token_hex(32)
        self._sql.run("INSERT INTO search_trace_key (id, salt) VALUES (1, :salt)", {"salt": salt})
        return bytes.fromhex(salt)

    def add_trace(self, username: str, entry: TraceEntry) -> None:
        self._sql.run(
            "INSERT INTO search_trace"
            " (username, at, key, text_key, stems, near_miss, identifier_hits, hits)"
            " VALUES (:u, :at, :key, :tkey, :stems, :miss, :idh, :hits)",
            {
                "u": username,
                "at": sql_time(entry.at),
                "key": entry.key,
                "tkey": entry.text_key,
                "stems": ",".join(sorted(entry.stems)),
                "miss": 1 if entry.near_miss else 0,
                "idh": _ids(entry.identifier_hits),
                "hits": _ids(entry.hits),
            },
        )

    def count_since(self, username: str, since: datetime) -> int:
        """Identifier searches (near misses or hits) since ``since``."""
        rows = list(
            self._sql.rows(
                "SELECT count(*) FROM search_trace WHERE username = :u AND at > :since"
                " AND (near_miss OR identifier_hits <> '')",
                {"u": username, "since": sql_time(since)},
            )
        )
        return int(rows[0][0])

    def traces_since(self, username: str, since: datetime) -> list[TraceEntry]:
        rows = self._sql.rows(
            "SELECT at, key, stems, near_miss, identifier_hits, hits, text_key FROM search_trace"
            " WHERE username = :u AND at > :since ORDER BY at, id",
            {"u": username, "since": sql_time(since)},
        )
        out = []
        for at, key, stems, miss, idh, hits, text_key in rows:
            when = from_sql_time(at)
            assert when is not None
            out.append(
                TraceEntry(
                    at=when,
                    key=str(key),
                    stems=frozenset(s for s in str(stems).split(",") if s),
                    near_miss=bool(miss),
                    identifier_hits=_parse_ids(str(idh)),
                    hits=_parse_ids(str(hits)),
                    text_key=str(text_key),
                )
            )
        return out

    def last_trace(self, username: str) -> tuple[int, str, bool] | None:
        """The person's latest trace: (id, text key, near miss)."""
        rows = list(
            self._sql.rows(
                "SELECT id, text_key, near_miss FROM search_trace WHERE username = :u"
                " ORDER BY id DESC LIMIT 1",
                {"u": username},
            )
        )
        if not rows:
            return None
        return int(rows[0][0]), str(rows[0][1]), bool(rows[0][2])

    def supersede(self, trace_id: int) -> None:
        """The search was typed on into the next one: it no longer counts as a near miss."""
        self._sql.run("UPDATE search_trace SET near_miss = 0 WHERE id = :id", {"id": trace_id})

    def prune(self, before: datetime) -> None:
        self._sql.run("DELETE FROM search_trace WHERE at <= :b", {"b": sql_time(before)})

    def active_stop(self, username: str) -> StopRecord | None:
        rows = list(
            self._sql.rows(
                f"SELECT {_STOP_COLUMNS} FROM search_stop"  # noqa: S608 - fixed columns
                " WHERE username = :u AND cleared_at IS NULL ORDER BY id DESC LIMIT 1",
                {"u": username},
            )
        )
        return _stop(rows[0]) if rows else None

    def add_stop(
        self,
        username: str,
        *,
        at: datetime,
        reason: str,
        searches: int,
        customer_id: int | None,
    ) -> int:
        rows = list(
            self._sql.rows(
                "INSERT INTO search_stop (username, stopped_at, reason, searches, customer_id)"
                " VALUES (:u, :at, :reason, :n, :cid) RETURNING id",
                {
                    "u": username,
                    "at": sql_time(at),
                    "reason": reason,
                    "n": searches,
                    "cid": customer_id,
                },
            )
        )
        return int(rows[0][0])

    def set_lock(self, stop_id: int, lock_id: int) -> None:
        self._sql.run(
            "UPDATE search_stop SET lock_id = :lock WHERE id = :id",
            {"lock": lock_id, "id": stop_id},
        )

    def stops(self, *, include_cleared: bool) -> list[StopRecord]:
        where = "" if include_cleared else " WHERE cleared_at IS NULL"
        rows = self._sql.rows(
            f"SELECT {_STOP_COLUMNS} FROM search_stop{where} ORDER BY id"  # noqa: S608 - fixed
        )
        return [_stop(r) for r in rows]

    def clear(self, username: str, *, at: datetime, by: str) -> int:
        rows = list(
            self._sql.rows(
                "UPDATE search_stop SET cleared_at = :at, cleared_by = :by"
                " WHERE username = :u AND cleared_at IS NULL RETURNING id",
                {"at": sql_time(at), "by": by, "u": username},
            )
        )
        return len(rows)


class ProbingUnitOfWork(DriverUnitOfWork):
    """The lean unit of work plus the tripwire's repository, on one connection."""

    def __enter__(self) -> Self:
        super().__enter__()
        self.probing = SqlSearchProbing(DriverStatements(self._conn))
        return self


class ProbingUnitOfWorkFactory(DriverUnitOfWorkFactory):
    def __call__(self) -> ProbingUnitOfWork:
        return ProbingUnitOfWork(self)
