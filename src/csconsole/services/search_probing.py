"""The search-probing tripwire (docs/search.md): every settled identifier search is traced (keyed
hashes, never the text); when a person's searches keep narrowing in on one customer
(``domain/probing.py``), their further identifier searches are refused, that customer's
verification is locked as after failed answers, and supervisors are told (audit event
``search.probing_stopped``; ``csconsole probing list``). A supervisor clears a stop.

Each search costs one small write on the lean unit of work; the profile's thresholds are loaded
only once a person has made enough identifier searches to possibly trip the rule, so a plain
``csconsole search`` loads no policy module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from csconsole.domain.customers import CustomerHit
from csconsole.domain.errors import CsConsoleError
from csconsole.domain.lookup import ParsedQuery
from csconsole.domain.probing import (
    MAX_WINDOW_MINUTES,
    MIN_COUNT,
    ProbingThresholds,
    ProbingVerdict,
    TraceEntry,
    continues,
    customer_stems,
    probing_verdict,
    trace_of,
)
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import AuditLog, Clock, StaffRepository

LOCK_CAUSE = "search_probing"


class SearchStopped(CsConsoleError):
    """Identifier searches of this person are stopped until a supervisor clears it."""


class NothingToClear(CsConsoleError):
    pass


@dataclass(frozen=True, slots=True)
class StopRecord:
    stop_id: int
    username: str
    stopped_at: datetime
    reason: str
    searches: int
    customer_id: int | None
    lock_id: int | None
    cleared_at: datetime | None = None
    cleared_by: str | None = None


class SearchProbingRepository(Protocol):
    def salt(self) -> bytes: ...
    def add_trace(self, username: str, entry: TraceEntry) -> None: ...
    def count_since(self, username: str, since: datetime) -> int: ...
    def traces_since(self, username: str, since: datetime) -> list[TraceEntry]: ...
    def last_trace(self, username: str) -> tuple[int, str, bool] | None: ...
    def supersede(self, trace_id: int) -> None: ...
    def prune(self, before: datetime) -> None: ...
    def active_stop(self, username: str) -> StopRecord | None: ...
    def add_stop(
        self, username: str, *, at: datetime, reason: str, searches: int, customer_id: int | None
    ) -> int: ...
    def set_lock(self, stop_id: int, lock_id: int) -> None: ...
    def stops(self, *, include_cleared: bool) -> list[StopRecord]: ...
    def clear(self, username: str, *, at: datetime, by: str) -> int: ...


class ProbingUnitOfWork(Protocol):
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def probing(self) -> SearchProbingRepository: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


# Locks the customer's verification as after failed answers, in its own unit of work; returns
# the lock's id, or None if one is in force already (``app`` wires the verification lockout).
LockCustomer = Callable[[Session, int, int], int | None]
# A customer's email and phones, raw, only to match their stems against a verdict's.
CustomerIdentifiers = Callable[[int], tuple[str | None, list[str | None]]]


def stopped_message(username: str) -> str:
    return (
        f"Identifier searches are stopped for {username}: recent searches kept narrowing in on "
        f"one customer's identifiers; a supervisor must clear it (csconsole probing clear "
        f"{username})."
    )


class SearchProbingService:
    def __init__(
        self,
        uow: Callable[[], ProbingUnitOfWork],
        clock: Clock,
        thresholds: Callable[[], ProbingThresholds],
        lock_customer: LockCustomer | None = None,
        identifiers: CustomerIdentifiers | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._thresholds = thresholds
        self._lock_customer = lock_customer
        self._identifiers = identifiers

    def _circled(self, verdict: ProbingVerdict, salt: bytes) -> int | None:
        """The customer whose own identifiers have the stem the searches circled, among those
        they came back with; else the one they came back with most."""
        if verdict.stem is not None and self._identifiers is not None:
            for customer_id in verdict.candidates:
                email, phones = self._identifiers(customer_id)
                if verdict.stem in customer_stems(email, phones, salt):
                    return customer_id
        return verdict.customer_id

    def refuse_if_stopped(self, session: Session, query: ParsedQuery) -> None:
        """Raise :class:`SearchStopped` (recorded) if ``query`` reads as an identifier and a
        stop stands on the person; names are still searched."""
        if not query.is_identifier:
            return
        name = session.staff.username
        with self._uow() as uow:
            stop = uow.probing.active_stop(name)
            if stop is None:
                return
            record(
                uow,
                self._clock,
                session,
                "search.refused",
                details={"query_kind": query.kind, "reason": LOCK_CAUSE, "stop_id": stop.stop_id},
            )
            uow.commit()
        raise SearchStopped(stopped_message(name))

    def observe(
        self, session: Session, query: ParsedQuery, hits: Sequence[CustomerHit]
    ) -> StopRecord | None:
        """Trace a settled search; returns the stop if this search tripped the rule."""
        name = session.staff.username
        now = self._clock.now()
        with self._uow() as uow:
            repo = uow.probing
            salt = repo.salt()
            entry = trace_of(query, hits, now, salt)
            if entry is None:
                uow.commit()  # the salt, if this was the first search
                return None
            last = repo.last_trace(name)
            if last is not None and last[2] and continues(query, last[1], salt):
                repo.supersede(last[0])
            repo.add_trace(name, entry)
            repo.prune(now - timedelta(minutes=MAX_WINDOW_MINUTES))
            verdict: ProbingVerdict | None = None
            if (
                repo.active_stop(name) is None
                and repo.count_since(name, now - timedelta(minutes=MAX_WINDOW_MINUTES)) >= MIN_COUNT
            ):
                rule = self._thresholds()
                since = now - timedelta(minutes=rule.window_minutes)
                verdict = probing_verdict(repo.traces_since(name, since), now, rule)
            if verdict is None:
                uow.commit()
                return None
            verdict = replace(verdict, customer_id=self._circled(verdict, salt))
            stop_id = repo.add_stop(
                name,
                at=now,
                reason=verdict.reason,
                searches=verdict.searches,
                customer_id=verdict.customer_id,
            )
            record(
                uow,
                self._clock,
                session,
                "search.probing_stopped",
                customer_id=verdict.customer_id,
                details={
                    "stop_id": stop_id,
                    "username": name,
                    "reason": verdict.reason,
                    "searches": verdict.searches,
                },
            )
            uow.commit()
        lock_id = None
        if verdict.customer_id is not None and self._lock_customer is not None:
            lock_id = self._lock_customer(session, verdict.customer_id, stop_id)
            if lock_id is not None:
                with self._uow() as uow:
                    uow.probing.set_lock(stop_id, lock_id)
                    uow.commit()
        return StopRecord(
            stop_id=stop_id,
            username=name,
            stopped_at=now,
            reason=verdict.reason,
            searches=verdict.searches,
            customer_id=verdict.customer_id,
            lock_id=lock_id,
        )

    def list_stops(self, session: Session, *, include_cleared: bool = False) -> list[StopRecord]:
        """For a supervisor: the stops in force (and, asked, those cleared)."""
        session.require(Permission.UNLOCK_VERIFICATION)
        with self._uow() as uow:
            return uow.probing.stops(include_cleared=include_cleared)

    def clear(self, session: Session, username: str) -> int:
        """For a supervisor: lift the stop on ``username`` (the customer's verification lock is
        lifted apart, with ``verify unlock``). Returns how many stops were cleared."""
        session.require(Permission.UNLOCK_VERIFICATION)
        now = self._clock.now()
        with self._uow() as uow:
            stop = uow.probing.active_stop(username)
            if stop is None:
                raise NothingToClear(f"No search stop stands on {username!r}.")
            if username == session.staff.username:
                raise CsConsoleError(
                    "A search stop on yourself must be cleared by another supervisor."
                )
            cleared = uow.probing.clear(username, at=now, by=session.staff.username)
            record(
                uow,
                self._clock,
                session,
                "search.probing_cleared",
                customer_id=stop.customer_id,
                details={"stop_id": stop.stop_id, "username": username, "cleared": cleared},
            )
            uow.commit()
        return cleared
