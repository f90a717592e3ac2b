"""Cases and their notes in the cache (implements ``services.case_ports.CaseRepository``)."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from csconsole.domain.cases import CaseRecord, CaseStatus, CaseType, Channel, NoteRecord
from csconsole.persistence.ledger.tables import CASE, ORIGIN
from csconsole.persistence.models import Customer, Staff
from csconsole.persistence.models.cases import Case, CaseNote

_Opener = aliased(Staff)
_Owner = aliased(Staff)
_Closer = aliased(Staff)


def _case_query() -> Select[Case, str, str, str, str, str]:
    return (
        select(
            Case,
            _Opener.username,
            _Owner.username,
            _Closer.username,
            Customer.first_name,
            Customer.last_name,
        )
        .join(_Opener, _Opener.id == Case.opened_by_id)
        .join(_Owner, _Owner.id == Case.owner_id)
        .outerjoin(_Closer, _Closer.id == Case.closed_by_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
    )


def _record(row: Any) -> CaseRecord:
    case, opener, owner, closer, first, last = row
    return CaseRecord(
        case_id=case.id,
        case_type=CaseType(case.case_type),
        customer_id=case.customer_id,
        customer_name=f"{first or ''} {last or ''}".strip(),
        channel=Channel(case.channel),
        status=CaseStatus(case.status),
        summary=case.summary,
        opened_by=opener,
        owner=owner,
        opened_at=case.opened_at,
        due_on=case.due_on,
        resolution=case.resolution,
        closed_at=case.closed_at,
        closed_by=closer,
    )


_OPEN_STATUSES = [s.value for s in CaseStatus if not s.is_closed]

assert CASE.replica is not None
_replica = CASE.replica  # other desks' cases, pulled from the central ledger (read-only)


def _replica_query() -> Select[Any]:
    r = _replica.c
    return (
        select(
            _replica,
            _Opener.username.label("opener"),
            _Owner.username.label("owner"),
            _Closer.username.label("closer"),
            Customer.first_name,
            Customer.last_name,
        )
        .outerjoin(_Opener, _Opener.id == r.opened_by_id)
        .outerjoin(_Owner, _Owner.id == r.owner_id)
        .outerjoin(_Closer, _Closer.id == r.closed_by_id)
        .outerjoin(Customer, Customer.id == r.customer_id)
    )


def _replica_record(row: Any) -> CaseRecord:
    """Staff ids are the central ones on every desk once it has synced; one this desk does
    not know (yet) is shown by number."""
    return CaseRecord(
        case_id=row.id,
        case_type=CaseType(row.case_type),
        customer_id=row.customer_id,
        customer_name=f"{row.first_name or ''} {row.last_name or ''}".strip(),
        channel=Channel(row.channel),
        status=CaseStatus(row.status),
        summary=row.summary,
        opened_by=row.opener or f"staff {row.opened_by_id}",
        owner=row.owner or f"staff {row.owner_id}",
        opened_at=row.opened_at,
        due_on=row.due_on,
        resolution=row.resolution,
        closed_at=row.closed_at,
        closed_by=row.closer or (f"staff {row.closed_by_id}" if row.closed_by_id else None),
        origin=row._mapping[ORIGIN],
    )


class SqlCaseRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(
        self,
        *,
        case_type: CaseType,
        customer_id: int | None,
        channel: Channel,
        summary: str,
        staff_id: int,
        opened_at: datetime,
        due_on: date,
    ) -> int:
        at = opened_at
        row = Case(
            case_type=case_type.value,
            customer_id=customer_id,
            channel=channel.value,
            status=CaseStatus.OPEN.value,
            summary=summary,
            opened_by_id=staff_id,
            owner_id=staff_id,
            opened_at=at,
            due_on=due_on,
            updated_at=at,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def get(self, case_id: int) -> CaseRecord | None:
        row = self._s.execute(_case_query().where(Case.id == case_id)).first()
        return _record(row) if row is not None else None

    def owner_id(self, case_id: int) -> int | None:
        return self._s.scalar(select(Case.owner_id).where(Case.id == case_id))

    def list(
        self,
        *,
        owner_id: int | None,
        include_closed: bool,
        limit: int,
        include_replicas: bool = False,
    ) -> list[CaseRecord]:
        query = _case_query()
        if owner_id is not None:
            query = query.where(Case.owner_id == owner_id)
        if not include_closed:
            query = query.where(Case.status.in_(_OPEN_STATUSES))
        query = query.order_by(Case.due_on, Case.id).limit(limit)
        cases = [_record(row) for row in self._s.execute(query)]
        if not include_replicas:
            return cases
        others = _replica_query()
        if owner_id is not None:
            others = others.where(_replica.c.owner_id == owner_id)
        if not include_closed:
            others = others.where(_replica.c.status.in_(_OPEN_STATUSES))
        others = others.order_by(_replica.c.due_on, _replica.c[ORIGIN], _replica.c.id).limit(limit)
        cases += [_replica_record(row) for row in self._s.execute(others)]
        cases.sort(key=lambda c: (c.due_on, c.origin, c.case_id))
        return cases[:limit]

    def set_status(
        self,
        case_id: int,
        status: CaseStatus,
        *,
        at: datetime,
        staff_id: int,
        resolution: str | None,
    ) -> None:
        row = self._s.get_one(Case, case_id)
        row.status = status.value
        row.updated_at = at
        if status.is_closed:
            row.closed_at = at
            row.closed_by_id = staff_id
            row.resolution = resolution
        self._s.flush()

    def add_note(self, case_id: int, *, author_id: int, at: datetime, text: str) -> int:
        note = CaseNote(case_id=case_id, at=at, author_id=author_id, text=text)
        self._s.add(note)
        case = self._s.get_one(Case, case_id)
        case.updated_at = at
        self._s.flush()
        return note.id

    def notes(self, case_id: int) -> builtins.list[NoteRecord]:  # ``list`` is a method here
        rows = self._s.execute(
            select(CaseNote, Staff.username)
            .join(Staff, Staff.id == CaseNote.author_id)
            .where(CaseNote.case_id == case_id)
            .order_by(CaseNote.at, CaseNote.id)
        )
        return [
            NoteRecord(note.id, note.case_id, note.at, author, note.text) for note, author in rows
        ]
