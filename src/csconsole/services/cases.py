"""Cases: open, read, note, move through the status flow, list a rep's queue or all of them.

Each use case runs in one unit of work with its audit event. A rep works on their own cases; a
supervisor on everyone's. Free text (summaries, notes, resolutions) is stored in the encrypted
cache but never copied into the audit trail, which records only its length.

An account-misuse report (NDO: customers "agree to quickly notify our company ... if any
unauthorized use of password or account is noticed") is a case, and when the profile says so the
account is flagged in the shop through the outbox, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from csconsole.domain.cases import (
    MAX_NOTE_CHARS,
    MAX_SUMMARY_CHARS,
    CaseRecord,
    CaseStatus,
    CaseType,
    Channel,
    NoteRecord,
    allowed_transitions,
    check_transition,
    clean_text,
    due_date,
)
from csconsole.domain.errors import NotFound, PermissionDenied
from csconsole.domain.policy import PolicyProfile
from csconsole.domain.staff import Permission
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, OutboxItem, UnitOfWork, UnitOfWorkFactory

Scope = Literal["mine", "all"]

# A case about these needs the customer it concerns; an inquiry or a disclosure request may come
# before anyone knows which customer (if any) it is about.
NEEDS_CUSTOMER = frozenset(
    {
        CaseType.ACCESS,
        CaseType.CORRECTION,
        CaseType.MAILING_OPT_OUT,
        CaseType.ERASURE,
        CaseType.CHILD_DATA,
        CaseType.ACCOUNT_MISUSE,
    }
)
MAX_LIST = 2_000


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: CaseRecord
    notes: tuple[NoteRecord, ...]
    overdue: bool
    next_statuses: tuple[CaseStatus, ...]


E = TypeVar("E", CaseType, Channel, CaseStatus)


def _as_enum(cls: type[E], value: E | str, what: str) -> E:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(member.value for member in cls)
        raise ValueError(f"{what}: {str(value)[:40]!r} is not one of {choices}") from None


class CaseService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        profile: PolicyProfile,
        is_holiday: Callable[[date], bool] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._profile = profile
        self._is_holiday = is_holiday  # the profile's public holidays (adapters.holiday_calendar)

    def today(self) -> date:
        return self._clock.now().date()

    # --- reading -----------------------------------------------------------------------------

    def _load(self, uow: UnitOfWork, session: Session, case_id: int) -> CaseRecord:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound(f"There is no case {case_id}.")
        if case.owner != session.staff.username and not _may_see_all(session):
            raise PermissionDenied(
                f"Case {case_id} is in another rep's queue; ask a supervisor to look at it."
            )
        return case

    def show(self, session: Session, case_id: int) -> CaseDetail:
        session.require(Permission.HANDLE_CASES)
        with self._uow() as uow:
            case = self._load(uow, session, case_id)
            notes = tuple(uow.cases.notes(case_id))
            record(
                uow,
                self._clock,
                session,
                "case.viewed",
                customer_id=case.customer_id,
                case_id=case_id,
            )
            uow.commit()
        return CaseDetail(
            case,
            notes,
            case.overdue(self.today()),
            tuple(sorted(allowed_transitions(case.status))),
        )

    def list_cases(
        self, session: Session, *, scope: Scope = "mine", include_closed: bool = False
    ) -> list[CaseRecord]:
        """A rep's own queue, or (supervisors) everyone's, including the cases other desks
        recorded (replicated through the central ledger, read-only here, marked with their
        ``origin``); soonest due first."""
        session.require(Permission.HANDLE_CASES)
        if scope == "all":
            session.require(Permission.VIEW_ALL_CASES)
            owner_id = None
        elif scope == "mine":
            owner_id = session.staff.staff_id
        else:
            raise ValueError("scope: 'mine' or 'all'")
        with self._uow() as uow:
            return list(
                uow.cases.list(
                    owner_id=owner_id,
                    include_closed=include_closed,
                    limit=MAX_LIST,
                    include_replicas=scope == "all",
                )
            )

    # --- changing ----------------------------------------------------------------------------

    def open_case(
        self,
        session: Session,
        case_type: CaseType | str,
        *,
        customer_id: int | None,
        channel: Channel | str,
        summary: str,
    ) -> CaseRecord:
        session.require(Permission.HANDLE_CASES)
        kind = _as_enum(CaseType, case_type, "case type")
        how = _as_enum(Channel, channel, "channel")
        text = _bounded(summary, MAX_SUMMARY_CHARS, "summary")
        if not text:
            raise ValueError("summary: say briefly what the caller asks for")
        if kind in NEEDS_CUSTOMER and customer_id is None:
            what = kind.value.replace("_", " ")
            article = "an" if what[0] in "aeiou" else "a"
            raise ValueError(f"customer: {article} {what} case needs a customer")
        rule = self._profile.case_due.get(kind)
        if rule is None:
            raise ValueError(f"case type: the {self._profile.id} profile has no {kind.value} cases")
        now = self._clock.now()
        due = due_date(now.date(), rule, self._is_holiday)
        with self._uow() as uow:
            if customer_id is not None and not uow.customer_records.exists(customer_id):
                raise NotFound(f"There is no customer {customer_id} in the local cache.")
            case_id = uow.cases.add(
                case_type=kind,
                customer_id=customer_id,
                channel=how,
                summary=text,
                staff_id=session.staff.staff_id,
                opened_at=now,
                due_on=due,
            )
            record(
                uow,
                self._clock,
                session,
                "case.opened",
                customer_id=customer_id,
                case_id=case_id,
                details={
                    "case_type": kind.value,
                    "channel": how.value,
                    "due_on": due.isoformat(),
                    "due_rule": rule.clause.key,
                },
            )
            if kind is CaseType.ACCOUNT_MISUSE and customer_id is not None:
                self._flag_account(uow, session, case_id, customer_id)
            uow.commit()
            case = uow.cases.get(case_id)
        assert case is not None
        return case

    def _flag_account(
        self, uow: UnitOfWork, session: Session, case_id: int, customer_id: int
    ) -> None:
        rules = self._profile.account_misuse
        if not rules.flags_account:
            return
        outbox_id = uow.outbox.enqueue(
            OutboxItem(
                kind="account_flag",
                entity="customer",
                entity_key=str(customer_id),
                changes={"flagged_misuse": True},
                # Setting a flag is safe whatever the shop holds now: no optimistic check.
                expected={},
                idempotency_key=f"account_flag:case:{case_id}",
                case_id=case_id,
            )
        )
        record(
            uow,
            self._clock,
            session,
            "account.flag_requested",
            customer_id=customer_id,
            case_id=case_id,
            details={"outbox_id": outbox_id, "clause": rules.clause.key},
        )

    def add_note(self, session: Session, case_id: int, text: str) -> int:
        session.require(Permission.HANDLE_CASES)
        body = _bounded(text, MAX_NOTE_CHARS, "note")
        if not body:
            raise ValueError("note: empty")
        with self._uow() as uow:
            case = self._load(uow, session, case_id)
            note_id = uow.cases.add_note(
                case_id, author_id=session.staff.staff_id, at=self._clock.now(), text=body
            )
            record(
                uow,
                self._clock,
                session,
                "case.note_added",
                customer_id=case.customer_id,
                case_id=case_id,
                details={"note_id": note_id, "chars": len(body)},
            )
            uow.commit()
        return note_id

    def change_status(
        self,
        session: Session,
        case_id: int,
        status: CaseStatus | str,
        *,
        resolution: str | None = None,
    ) -> CaseRecord:
        session.require(Permission.HANDLE_CASES)
        new = _as_enum(CaseStatus, status, "status")
        text = _bounded(resolution, MAX_NOTE_CHARS, "resolution") if resolution else None
        with self._uow() as uow:
            case = self._load(uow, session, case_id)
            check_transition(case.status, new, text)
            uow.cases.set_status(
                case_id,
                new,
                at=self._clock.now(),
                staff_id=session.staff.staff_id,
                resolution=text if new.is_closed else None,
            )
            record(
                uow,
                self._clock,
                session,
                "case.status_changed",
                customer_id=case.customer_id,
                case_id=case_id,
                details={"from": case.status.value, "to": new.value},
            )
            uow.commit()
            changed = uow.cases.get(case_id)
        assert changed is not None
        return changed

    def close(
        self,
        session: Session,
        case_id: int,
        resolution: str,
        *,
        status: CaseStatus | str = CaseStatus.RESOLVED,
    ) -> CaseRecord:
        new = _as_enum(CaseStatus, status, "status")
        if not new.is_closed:
            raise ValueError("status: closing means resolved, refused or withdrawn")
        return self.change_status(session, case_id, new, resolution=resolution)


def _may_see_all(session: Session) -> bool:
    try:
        session.require(Permission.VIEW_ALL_CASES)
    except PermissionDenied:
        return False
    return True


def _bounded(text: str | None, limit: int, what: str) -> str:
    cleaned = clean_text(text or "")
    if len(cleaned) > limit:
        raise ValueError(f"{what}: at most {limit} characters")
    return cleaned


def overdue_cases(cases: Sequence[CaseRecord], today: date) -> list[CaseRecord]:
    return [case for case in cases if case.overdue(today)]
