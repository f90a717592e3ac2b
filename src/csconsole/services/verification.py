"""Verifying a caller on a case: one question at a time, the caller's answer in, match or no match
out.

The rep never sees a stored answer. The data on file (:class:`FactsOnFile`) is loaded inside
this module, compared with the caller's answer, and dropped; no return value, exception, audit
detail or log line carries it (this module does not log at all). What leaves is: which questions
can be asked, which were asked and whether each matched, the level reached and the lock state.
A rejected answer ("type a date like ...") is judged on the answer's own form, before the data on
file is looked at, so a rejection cannot hint at a stored value either.

Every step is an audit event in the same transaction: the start, each answer (question kind and
result, never the answer), rejections, the affirmation, a level reached, a lock, an unlock, the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csconsole.domain.cases import request_for_case
from csconsole.domain.errors import CsConsoleError, NotFound, PermissionDenied
from csconsole.domain.policy import (
    CorrectableField,
    PolicyProfile,
    QuestionKind,
    RequestType,
    VerificationLevel,
    VerificationRules,
)
from csconsole.domain.staff import Permission
from csconsole.domain.verification import (
    LABELS,
    PROMPTS,
    LockRecord,
    VerificationError,
    VerificationLocked,
    VerificationRecord,
    can_still_reach,
    expires_at,
    failures_in_window,
    is_expired,
    lock_in_force,
    points_needed,
    should_lock,
    unlock_effective_at,
)
from csconsole.domain.verification_answers import (
    MONTH_FIRST_REGIONS,
    FactsOnFile,
    Outcome,
    ParsedAnswer,
    Rejection,
    answer_matches,
    format_hint,
    parse_answer,
)
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

MAX_UNLOCK_REASON = 500


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question the rep may put to the caller: what to ask and how an answer is typed."""

    kind: QuestionKind
    label: str
    prompt: str
    hint: str


@dataclass(frozen=True, slots=True)
class LockView:
    customer_id: int
    locked: bool
    failures_in_window: int
    max_failures: int
    window_hours: int
    locked_at: datetime | None = None
    # The desk that recorded the lock ("" this one); None/"" also for a lock only the wrong
    # answers of several desks imply, until a desk records it.
    origin: str = ""
    lock_id: int | None = None


@dataclass(frozen=True, slots=True)
class VerificationStatus:
    """Where a verification stands. Holds no stored answer and no caller's answer."""

    verification_id: int
    case_id: int
    customer_id: int
    request: RequestType
    fields: tuple[CorrectableField, ...]
    required: VerificationLevel
    level: VerificationLevel
    matched: int
    needed: int
    affirmation_needed: bool
    affirmed: bool
    affirmation_text: str
    asked: tuple[tuple[QuestionKind, bool], ...]
    remaining: tuple[QuestionView, ...]
    can_still_pass: bool
    expires_at: datetime
    expired: bool
    ended: bool
    lock: LockView

    @property
    def passed(self) -> bool:
        return self.level.satisfies(self.required)

    @property
    def usable(self) -> bool:
        """Answers may still be given."""
        return not (self.expired or self.ended or self.lock.locked)


@dataclass(frozen=True, slots=True)
class AnswerResult:
    kind: QuestionKind
    outcome: Outcome
    reason: str  # why an answer was not understood (its form only); "" otherwise
    status: VerificationStatus


class NothingToUnlock(CsConsoleError):
    pass


class VerificationService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        profile: PolicyProfile,
        *,
        default_region: str = "US",
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._profile = profile
        self._rules = profile.verification
        self._region = default_region
        self._day_first = default_region not in MONTH_FIRST_REGIONS

    # --- questions ---------------------------------------------------------------------------

    def question(self, kind: QuestionKind) -> QuestionView:
        tol = self._rules.tolerances
        hint = format_hint(kind)
        if kind is QuestionKind.LAST_ORDER_DATE:
            hint += f" Within {tol.order_date_days} days counts."
        elif kind is QuestionKind.LAST_ORDER_TOTAL:
            hint += f" Within {tol.order_total_cents / 100:.2f} counts."
        return QuestionView(kind, LABELS[kind], PROMPTS[kind], hint)

    # --- starting ----------------------------------------------------------------------------

    def start(
        self,
        session: Session,
        case_id: int,
        *,
        fields: Iterable[CorrectableField | str] = (),
        request: RequestType | str | None = None,
    ) -> VerificationStatus:
        """Begin verifying the caller for ``case_id``; ``fields`` are the fields to correct."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        with self._uow() as uow:
            case = uow.cases.get(case_id)
            if case is None:
                raise NotFound(f"There is no case {case_id}.")
            _check_case_access(session, case.owner)
            if case.status.is_closed:
                raise VerificationError(f"Case {case_id} is closed.")
            if case.customer_id is None:
                raise VerificationError(
                    f"Case {case_id} has no customer; add one before verifying the caller."
                )
            purpose = _request(request) if request is not None else request_for_case(case.case_type)
            if purpose is None:
                raise VerificationError(
                    "A disclosure request is checked against its legal instrument, not by "
                    "questioning the caller."
                )
            corrected = _fields(fields, self._profile)
            if corrected and purpose is not RequestType.CORRECTION:
                raise ValueError("fields: only a correction names fields to correct")
            customer_id = case.customer_id
            lock = self._active_lock(uow, customer_id)
            if lock is not None:
                self._refuse_locked(uow, session, lock, case_id, None)
                raise self._locked_error()
            required = self._rules.level_for(purpose, corrected)
            verification_id = uow.verifications.start(
                case_id=case_id,
                customer_id=customer_id,
                staff_id=session.staff.staff_id,
                request=purpose,
                fields=corrected,
                required=required,
                started_at=now,
                expires_at=expires_at(now, self._rules),
            )
            ver = uow.verifications.get(verification_id)
            assert ver is not None
            status = self._status(uow, ver, now)
            record(
                uow,
                self._clock,
                session,
                "verification.started",
                customer_id=customer_id,
                case_id=case_id,
                details={
                    "verification_id": verification_id,
                    "request": purpose.value,
                    "fields": ",".join(f.value for f in corrected),
                    "required_level": required.value,
                    "questions_available": len(status.remaining),
                    "clause": self._rules.requests[purpose].clause.key,
                },
            )
            uow.commit()
        return status

    # --- answering ---------------------------------------------------------------------------

    def answer(
        self, session: Session, verification_id: int, kind: QuestionKind | str, answer: str
    ) -> AnswerResult:
        """Compare the caller's answer with the data on file: match, no match, or not
        understood (with a reason about the answer's form)."""
        session.require(Permission.VERIFY_CALLER)
        question = _kind(kind)
        now = self._clock.now()
        with self._uow() as uow:
            ver = self._own(uow, session, verification_id)
            lock = self._active_lock(uow, ver.customer_id)
            if lock is not None:
                self._refuse_locked(uow, session, lock, ver.case_id, ver)
                raise self._locked_error()
            try:
                ver.check_can_answer(question, now, self._rules)
            except VerificationError as exc:
                self._refuse(uow, session, ver.customer_id, ver.case_id, ver, exc.code)
                raise
            parsed = parse_answer(question, answer, day_first=self._day_first)
            if isinstance(parsed, Rejection):
                return self._rejected(uow, session, ver, question, parsed, now)
            facts = uow.customer_records.facts_on_file(ver.customer_id)
            if facts is None:
                raise NotFound("This customer is no longer in the local cache.")
            matched = self._compare(parsed, facts)
            del facts  # nothing below needs the stored answers
            if matched is None:
                return self._rejected(
                    uow,
                    session,
                    ver,
                    question,
                    Rejection("not_comparable", "This answer could not be compared; ask another."),
                    now,
                )
            before = ver.level(self._rules)
            outcome = Outcome.MATCH if matched else Outcome.NO_MATCH
            uow.verifications.add_attempt(
                verification_id,
                customer_id=ver.customer_id,
                staff_id=session.staff.staff_id,
                at=now,
                kind=question,
                result=outcome.value,
            )
            record(
                uow,
                self._clock,
                session,
                "verification.answer",
                customer_id=ver.customer_id,
                case_id=ver.case_id,
                details={
                    "verification_id": verification_id,
                    "question": question.value,
                    "result": outcome.value,
                },
            )
            if not matched:
                self._maybe_lock(uow, session, ver, now)
            updated = uow.verifications.get(verification_id)
            assert updated is not None
            self._note_level(uow, session, before, updated)
            status = self._status(uow, updated, now)
            uow.commit()
        return AnswerResult(question, outcome, "", status)

    def _compare(self, parsed: ParsedAnswer, facts: FactsOnFile) -> bool | None:
        """True/False, or None if comparing failed. A failure's exception is dropped here, so
        no traceback or message that might hold a stored value travels on."""
        try:
            return answer_matches(parsed, facts, self._rules.tolerances, self._region)
        except Exception:  # any failure becomes "ask another question", never a leak
            return None

    def _rejected(
        self,
        uow: UnitOfWork,
        session: Session,
        ver: VerificationRecord,
        question: QuestionKind,
        rejection: Rejection,
        now: datetime,
    ) -> AnswerResult:
        # Recorded, but not a wrong answer: it does not count towards the lockout.
        uow.verifications.add_attempt(
            ver.verification_id,
            customer_id=ver.customer_id,
            staff_id=session.staff.staff_id,
            at=now,
            kind=question,
            result=Outcome.REJECTED.value,
        )
        record(
            uow,
            self._clock,
            session,
            "verification.answer_rejected",
            customer_id=ver.customer_id,
            case_id=ver.case_id,
            details={
                "verification_id": ver.verification_id,
                "question": question.value,
                "reason": rejection.code,
            },
        )
        status = self._status(uow, ver, now)
        uow.commit()
        return AnswerResult(question, Outcome.REJECTED, rejection.reason, status)

    def _maybe_lock(
        self, uow: UnitOfWork, session: Session, ver: VerificationRecord, now: datetime
    ) -> None:
        rule = self._rules.lockout
        failures = self._failures(uow, ver.customer_id, now)
        if not should_lock(failures, now, rule):
            return
        count = failures_in_window(failures, now, rule)
        lock_id = uow.verifications.add_lock(
            ver.customer_id, at=now, failures=count, verification_id=ver.verification_id
        )
        uow.verifications.end(ver.verification_id, at=now, reason="locked")
        record(
            uow,
            self._clock,
            session,
            "verification.locked",
            customer_id=ver.customer_id,
            case_id=ver.case_id,
            details={
                "verification_id": ver.verification_id,
                "lock_id": lock_id,
                "failures": count,
                "window_hours": rule.window_hours,
                "clause": rule.clause.key,
            },
        )

    def _failures(self, uow: UnitOfWork, customer_id: int, now: datetime) -> Sequence[datetime]:
        """Wrong answers in the window, on every desk, not counting any before the latest
        unlock (on any desk)."""
        since = now - timedelta(hours=self._rules.lockout.window_hours)
        unlocked = uow.verifications.last_unlock_at(customer_id)
        if unlocked is not None and unlocked > since:
            since = unlocked
        return uow.verifications.failures_since(customer_id, since)

    def _note_level(
        self,
        uow: UnitOfWork,
        session: Session,
        before: VerificationLevel,
        ver: VerificationRecord,
    ) -> None:
        after = ver.level(self._rules)
        if after.rank > before.rank:
            record(
                uow,
                self._clock,
                session,
                "verification.level_reached",
                customer_id=ver.customer_id,
                case_id=ver.case_id,
                details={
                    "verification_id": ver.verification_id,
                    "level": after.value,
                    "required_level": ver.required.value,
                    "questions": ",".join(k.value for k in ver.matched()),
                },
            )

    # --- affirmation, end, status ------------------------------------------------------------

    def affirm(self, session: Session, verification_id: int) -> VerificationStatus:
        """Record that the caller affirmed the profile's statement (needed at the high level)."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        high = self._rules.requirement(VerificationLevel.HIGH)
        with self._uow() as uow:
            ver = self._own(uow, session, verification_id)
            lock = self._active_lock(uow, ver.customer_id)
            if lock is not None:
                self._refuse_locked(uow, session, lock, ver.case_id, ver)
                raise self._locked_error()
            if not ver.in_force(now):
                reason = "ended" if ver.ended_at is not None else "expired"
                self._refuse(uow, session, ver.customer_id, ver.case_id, ver, reason)
                raise VerificationError(f"This verification has {reason}; start a new one.")
            if not high.affirmation:
                raise VerificationError("The policy profile asks for no affirmation.")
            if ver.affirmed:
                raise VerificationError("The caller's affirmation is recorded already.")
            before = ver.level(self._rules)
            uow.verifications.affirm(verification_id, at=now, text=high.affirmation_text)
            record(
                uow,
                self._clock,
                session,
                "verification.affirmed",
                customer_id=ver.customer_id,
                case_id=ver.case_id,
                details={"verification_id": verification_id, "affirmation": high.affirmation_text},
            )
            updated = uow.verifications.get(verification_id)
            assert updated is not None
            self._note_level(uow, session, before, updated)
            status = self._status(uow, updated, now)
            uow.commit()
        return status

    def end(self, session: Session, verification_id: int) -> VerificationStatus:
        """The rep ends the verification (the call is over, or the caller gave up)."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        with self._uow() as uow:
            ver = self._own(uow, session, verification_id)
            if ver.ended_at is None:
                uow.verifications.end(verification_id, at=now, reason="ended")
                record(
                    uow,
                    self._clock,
                    session,
                    "verification.ended",
                    customer_id=ver.customer_id,
                    case_id=ver.case_id,
                    details={
                        "verification_id": verification_id,
                        "level": ver.level(self._rules).value,
                        "required_level": ver.required.value,
                        "questions": ",".join(
                            f"{a.kind.value}:{'match' if a.matched else 'no_match'}"
                            for a in ver.answers
                        ),
                    },
                )
            updated = uow.verifications.get(verification_id)
            assert updated is not None
            status = self._status(uow, updated, now)
            uow.commit()
        return status

    def status(self, session: Session, verification_id: int) -> VerificationStatus:
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            ver = self._own(uow, session, verification_id)
            return self._status(uow, ver, self._clock.now())

    def current(self, session: Session, case_id: int) -> VerificationStatus | None:
        """This rep's newest verification on the case that can still be used, if any."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        with self._uow() as uow:
            for ver in uow.verifications.for_case(case_id):
                if ver.staff_id == session.staff.staff_id and ver.in_force(now):
                    return self._status(uow, ver, now)
        return None

    def _status(
        self, uow: UnitOfWork, ver: VerificationRecord, now: datetime
    ) -> VerificationStatus:
        rules = self._rules
        facts = uow.customer_records.facts_on_file(ver.customer_id)
        # Only which kinds have data on file leaves this line, never the data.
        askable = facts.askable(rules.question_kinds) if facts is not None else ()
        del facts
        remaining = ver.remaining(askable, rules)
        proof = set(ver.proof(rules))
        matched_points = len(set(ver.matched()) & proof)
        need = rules.requirement(ver.required)
        return VerificationStatus(
            verification_id=ver.verification_id,
            case_id=ver.case_id,
            customer_id=ver.customer_id,
            request=ver.request,
            fields=ver.fields,
            required=ver.required,
            level=ver.level(rules),
            matched=matched_points,
            needed=points_needed(rules, ver.required),
            affirmation_needed=need.affirmation,
            affirmed=ver.affirmed,
            affirmation_text=need.affirmation_text if need.affirmation else "",
            asked=tuple((a.kind, a.matched) for a in ver.answers),
            remaining=tuple(self.question(k) for k in remaining),
            can_still_pass=can_still_reach(rules, ver.required, matched_points, len(remaining)),
            expires_at=ver.expires_at,
            expired=is_expired(ver.expires_at, now),
            ended=ver.ended_at is not None,
            lock=self._lock_view(uow, ver.customer_id, now),
        )

    # --- lockout -----------------------------------------------------------------------------

    def lock_state(self, session: Session, customer_id: int) -> LockView:
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            return self._lock_view(uow, customer_id, self._clock.now())

    def _active_lock(self, uow: UnitOfWork, customer_id: int) -> LockRecord | None:
        return current_lock(uow, customer_id, self._rules)

    def _refuse_locked(
        self,
        uow: UnitOfWork,
        session: Session,
        lock: LockRecord,
        case_id: int,
        ver: VerificationRecord | None,
    ) -> None:
        """Record the refusal of a step on a locked customer, and first the lock itself if only
        the wrong answers of several desks, put together, imply it (no desk recorded it)."""
        if lock.lock_id is None:
            rule = self._rules.lockout
            lock_id = uow.verifications.add_lock(
                lock.customer_id,
                at=lock.locked_at,  # when it happened, so an unlock made since still lifts it
                failures=lock.failures,
                verification_id=ver.verification_id if ver is not None else None,
            )
            record(
                uow,
                self._clock,
                session,
                "verification.locked",
                customer_id=lock.customer_id,
                case_id=case_id,
                details={
                    "verification_id": ver.verification_id if ver is not None else None,
                    "lock_id": lock_id,
                    "failures": lock.failures,
                    "window_hours": rule.window_hours,
                    "clause": rule.clause.key,
                    "across_desks": True,
                },
            )
        self._refuse(uow, session, lock.customer_id, case_id, ver, "locked")

    def _lock_view(self, uow: UnitOfWork, customer_id: int, now: datetime) -> LockView:
        rule = self._rules.lockout
        lock = self._active_lock(uow, customer_id)
        failures = failures_in_window(self._failures(uow, customer_id, now), now, rule)
        return LockView(
            customer_id=customer_id,
            locked=lock is not None,
            failures_in_window=lock.failures if lock is not None else failures,
            max_failures=rule.max_failures,
            window_hours=rule.window_hours,
            locked_at=lock.locked_at if lock is not None else None,
            origin=lock.origin if lock is not None else "",
            lock_id=lock.lock_id if lock is not None else None,
        )

    def case_lock_state(self, session: Session, case_id: int) -> LockView:
        """The lock state of the customer of a case (for a window that knows the case)."""
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            customer_id = _case_customer(uow, session, case_id)
            return self._lock_view(uow, customer_id, self._clock.now())

    def unlock_case(self, session: Session, case_id: int, reason: str) -> LockView:
        """:meth:`unlock` for the customer of a case."""
        session.require(Permission.UNLOCK_VERIFICATION)
        with self._uow() as uow:
            customer_id = _case_customer(uow, session, case_id)
        return self.unlock(session, customer_id, reason)

    def unlock(self, session: Session, customer_id: int, reason: str) -> LockView:
        """A supervisor lifts a lockout, whichever desk recorded it; wrong answers before it no
        longer count. The unlock is this desk's record and reaches the other desks at their
        sync: it lifts every lock on the customer made up to now, not a later one."""
        session.require(Permission.UNLOCK_VERIFICATION)
        text = " ".join(reason.split())[:MAX_UNLOCK_REASON]
        if not text:
            raise ValueError("reason: say why verification may go on (e.g. how you checked)")
        now = self._clock.now()
        with self._uow() as uow:
            lock = self._active_lock(uow, customer_id)
            if lock is None:
                raise NothingToUnlock(f"Verification of customer {customer_id} is not locked.")
            unlock_id = uow.verifications.add_unlock(
                customer_id,
                at=now,
                effective_at=unlock_effective_at(now, lock),
                staff_id=session.staff.staff_id,
                reason=text,
                lock=lock,
            )
            record(
                uow,
                self._clock,
                session,
                "verification.unlocked",
                customer_id=customer_id,
                details={
                    "unlock_id": unlock_id,
                    "lock_id": lock.lock_id,
                    "lock_origin": lock.origin or None,
                    "failures": lock.failures,
                    "reason_chars": len(text),
                },
            )
            view = self._lock_view(uow, customer_id, now)
            uow.commit()
        return view

    # --- helpers -----------------------------------------------------------------------------

    def _own(self, uow: UnitOfWork, session: Session, verification_id: int) -> VerificationRecord:
        """A verification belongs to the rep who is on the call with the caller."""
        ver = uow.verifications.get(verification_id)
        if ver is None:
            raise NotFound(f"There is no verification {verification_id}.")
        if ver.staff_id != session.staff.staff_id:
            raise PermissionDenied(f"Verification {verification_id} belongs to another rep's call.")
        return ver

    def _refuse(
        self,
        uow: UnitOfWork,
        session: Session,
        customer_id: int,
        case_id: int,
        ver: VerificationRecord | None,
        reason: str,
    ) -> None:
        """Record a refused step, then commit (the caller raises afterwards)."""
        record(
            uow,
            self._clock,
            session,
            "verification.refused",
            customer_id=customer_id,
            case_id=case_id,
            details={
                "verification_id": ver.verification_id if ver is not None else None,
                "reason": reason,
            },
        )
        uow.commit()

    def _locked_error(self) -> VerificationLocked:
        rule = self._rules.lockout
        return VerificationLocked(
            f"Verification of this customer is locked after {rule.max_failures} wrong answers "
            f"within {rule.window_hours} hours; a supervisor must unlock it."
        )


def _case_customer(uow: UnitOfWork, session: Session, case_id: int) -> int:
    case = uow.cases.get(case_id)
    if case is None:
        raise NotFound(f"There is no case {case_id}.")
    _check_case_access(session, case.owner)
    if case.customer_id is None:
        raise VerificationError(f"Case {case_id} has no customer.")
    return case.customer_id


def _check_case_access(session: Session, owner: str) -> None:
    if owner == session.staff.username:
        return
    try:
        session.require(Permission.VIEW_ALL_CASES)
    except PermissionDenied:
        raise PermissionDenied("This case is in another rep's queue.") from None


def _kind(value: QuestionKind | str) -> QuestionKind:
    try:
        return QuestionKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in QuestionKind)
        raise ValueError(f"question: {str(value)[:40]!r} is not one of {choices}") from None


def _request(value: RequestType | str) -> RequestType:
    try:
        return RequestType(value)
    except ValueError:
        choices = ", ".join(r.value for r in RequestType)
        raise ValueError(f"request: {str(value)[:40]!r} is not one of {choices}") from None


def _fields(
    values: Iterable[CorrectableField | str], profile: PolicyProfile
) -> tuple[CorrectableField, ...]:
    out: list[CorrectableField] = []
    for value in values:
        try:
            field = CorrectableField(value)
        except ValueError:
            choices = ", ".join(f.value for f in profile.corrections.fields)
            raise ValueError(f"field: {str(value)[:40]!r} is not one of {choices}") from None
        if field not in profile.corrections.fields:
            raise ValueError(f"field: the {profile.id} profile does not correct {field.value}")
        if field not in out:
            out.append(field)
    return tuple(out)


def current_lock(uow: UnitOfWork, customer_id: int, rules: VerificationRules) -> LockRecord | None:
    """The lock in force on the customer, whichever desk recorded it, or one implied by wrong
    answers recorded on several desks (once their records met here). Unmasking asks this too."""
    repo = uow.verifications
    last = repo.last_unlock_at(customer_id)
    locks = repo.locks_after(customer_id, last)
    failures = () if locks else repo.failures_since(customer_id, last)
    return lock_in_force(customer_id, locks, last, failures, rules.lockout)
