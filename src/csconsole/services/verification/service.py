"""The verification use cases: start, answer, affirm, end, status, lock state and unlock. Each
runs in one unit of work and appends its audit events in it: the start, each answer (question kind
and result, never the answer), rejections, the affirmation, a level reached, a lock, an unlock,
the end. The questioning and the lockout rules are composed from :mod:`.questioning` and
:mod:`.lockout`."""

from __future__ import annotations

from collections.abc import Iterable

from csconsole.domain.cases import request_for_case
from csconsole.domain.errors import NotFound
from csconsole.domain.policy import (
    CorrectableField,
    PolicyProfile,
    QuestionKind,
    RequestType,
    VerificationLevel,
)
from csconsole.domain.staff import Permission
from csconsole.domain.verification import VerificationError, expires_at
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWorkFactory
from csconsole.services.verification.guards import (
    case_customer,
    check_case_access,
    own_verification,
    record_refusal,
)
from csconsole.services.verification.lockout import Lockout
from csconsole.services.verification.parsing import (
    corrected_fields,
    question_kind,
    request_type,
    unlock_reason,
)
from csconsole.services.verification.questioning import Questioning
from csconsole.services.verification.views import (
    AnswerResult,
    LockView,
    QuestionView,
    VerificationStatus,
)


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
        self._lockout = Lockout(clock, self._rules)
        self._questioning = Questioning(
            clock, self._rules, self._lockout, default_region=default_region
        )

    # --- questions ---------------------------------------------------------------------------

    def question(self, kind: QuestionKind) -> QuestionView:
        return self._questioning.question(kind)

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
            check_case_access(session, case.owner)
            if case.status.is_closed:
                raise VerificationError(f"Case {case_id} is closed.")
            if case.customer_id is None:
                raise VerificationError(
                    f"Case {case_id} has no customer; add one before verifying the caller."
                )
            purpose = (
                request_type(request) if request is not None else request_for_case(case.case_type)
            )
            if purpose is None:
                raise VerificationError(
                    "A disclosure request is checked against its legal instrument, not by "
                    "questioning the caller."
                )
            corrected = corrected_fields(fields, self._profile)
            if corrected and purpose is not RequestType.CORRECTION:
                raise ValueError("fields: only a correction names fields to correct")
            customer_id = case.customer_id
            self._lockout.refuse_if_locked(uow, session, customer_id, case_id, None)
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
            status = self._questioning.status(uow, ver, now)
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
        question = question_kind(kind)
        now = self._clock.now()
        with self._uow() as uow:
            ver = own_verification(uow, session, verification_id)
            self._lockout.refuse_if_locked(uow, session, ver.customer_id, ver.case_id, ver)
            try:
                ver.check_can_answer(question, now, self._rules)
            except VerificationError as exc:
                record_refusal(
                    uow, self._clock, session, ver.customer_id, ver.case_id, ver, exc.code
                )
                raise
            result = self._questioning.put_answer(uow, session, ver, question, answer, now)
            uow.commit()
        return result

    # --- affirmation, end, status ------------------------------------------------------------

    def affirm(self, session: Session, verification_id: int) -> VerificationStatus:
        """Record that the caller affirmed the profile's statement (needed at the high level)."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        high = self._rules.requirement(VerificationLevel.HIGH)
        with self._uow() as uow:
            ver = own_verification(uow, session, verification_id)
            self._lockout.refuse_if_locked(uow, session, ver.customer_id, ver.case_id, ver)
            if not ver.in_force(now):
                reason = "ended" if ver.ended_at is not None else "expired"
                record_refusal(uow, self._clock, session, ver.customer_id, ver.case_id, ver, reason)
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
            self._questioning.note_level(uow, session, before, updated)
            status = self._questioning.status(uow, updated, now)
            uow.commit()
        return status

    def end(self, session: Session, verification_id: int) -> VerificationStatus:
        """The rep ends the verification (the call is over, or the caller gave up)."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        with self._uow() as uow:
            ver = own_verification(uow, session, verification_id)
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
            status = self._questioning.status(uow, updated, now)
            uow.commit()
        return status

    def status(self, session: Session, verification_id: int) -> VerificationStatus:
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            ver = own_verification(uow, session, verification_id)
            return self._questioning.status(uow, ver, self._clock.now())

    def current(self, session: Session, case_id: int) -> VerificationStatus | None:
        """This rep's newest verification on the case that can still be used, if any."""
        session.require(Permission.VERIFY_CALLER)
        now = self._clock.now()
        with self._uow() as uow:
            for ver in uow.verifications.for_case(case_id):
                if ver.staff_id == session.staff.staff_id and ver.in_force(now):
                    return self._questioning.status(uow, ver, now)
        return None

    # --- lockout -----------------------------------------------------------------------------

    def lock_state(self, session: Session, customer_id: int) -> LockView:
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            return self._lockout.view(uow, customer_id, self._clock.now())

    def case_lock_state(self, session: Session, case_id: int) -> LockView:
        """The lock state of the customer of a case (for a window that knows the case)."""
        session.require(Permission.VERIFY_CALLER)
        with self._uow() as uow:
            customer_id = case_customer(uow, session, case_id)
            return self._lockout.view(uow, customer_id, self._clock.now())

    def unlock_case(self, session: Session, case_id: int, reason: str) -> LockView:
        """:meth:`unlock` for the customer of a case."""
        session.require(Permission.UNLOCK_VERIFICATION)
        with self._uow() as uow:
            customer_id = case_customer(uow, session, case_id)
        return self.unlock(session, customer_id, reason)

    def unlock(self, session: Session, customer_id: int, reason: str) -> LockView:
        """A supervisor lifts a lockout, whichever desk recorded it; wrong answers before it no
        longer count. The unlock is this desk's record and reaches the other desks at their
        sync: it lifts every lock on the customer made up to now, not a later one."""
        session.require(Permission.UNLOCK_VERIFICATION)
        text = unlock_reason(reason)
        now = self._clock.now()
        with self._uow() as uow:
            view = self._lockout.unlock(uow, session, customer_id, text, now)
            uow.commit()
        return view
