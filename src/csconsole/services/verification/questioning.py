"""Questioning the caller: the questions that may be asked, one answer compared with the data on
file, and where the verification stands afterwards.

The data on file (:class:`FactsOnFile`) is read here and only here, compared with the caller's
answer, and dropped; no return value, exception, audit detail or log line carries it (no module of
this package logs at all). A rejected answer ("type a date like ...") is judged on the answer's
own form, before the data on file is looked at, so a rejection cannot hint at a stored value.
"""

from __future__ import annotations

from datetime import datetime

from csconsole.domain.errors import NotFound
from csconsole.domain.policy import QuestionKind, VerificationLevel, VerificationRules
from csconsole.domain.verification import (
    LABELS,
    PROMPTS,
    VerificationRecord,
    can_still_reach,
    is_expired,
    points_needed,
)
from csconsole.domain.verification_answers import (
    MONTH_FIRST_REGIONS,
    AnswerOutcome,
    FactsOnFile,
    ParsedAnswer,
    Rejection,
    answer_matches,
    format_hint,
    parse_answer,
)
from csconsole.services.audit import record
from csconsole.services.auth import Session
from csconsole.services.ports import Clock, UnitOfWork
from csconsole.services.verification.lockout import Lockout
from csconsole.services.verification.views import AnswerResult, QuestionView, VerificationStatus


class Questioning:
    """Questions and answers under a profile's verification rules, inside the caller's unit of
    work (the caller commits)."""

    def __init__(
        self, clock: Clock, rules: VerificationRules, lockout: Lockout, *, default_region: str
    ) -> None:
        self._clock = clock
        self._rules = rules
        self._lockout = lockout
        self._region = default_region
        self._day_first = default_region not in MONTH_FIRST_REGIONS

    def question(self, kind: QuestionKind) -> QuestionView:
        tol = self._rules.tolerances
        hint = format_hint(kind)
        if kind is QuestionKind.LAST_ORDER_DATE:
            hint += f" Within {tol.order_date_days} days counts."
        elif kind is QuestionKind.LAST_ORDER_TOTAL:
            hint += f" Within {tol.order_total_cents / 100:.2f} counts."
        return QuestionView(kind, LABELS[kind], PROMPTS[kind], hint)

    def put_answer(
        self,
        uow: UnitOfWork,
        session: Session,
        ver: VerificationRecord,
        question: QuestionKind,
        answer: str,
        now: datetime,
    ) -> AnswerResult:
        """Record the caller's answer to ``question`` as a match, no match, or not understood
        (with a reason about the answer's form), and lock the customer if it was one wrong
        answer too many."""
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
        # Once the needed level is reached, a wrong answer is a slip, not an attack on the
        # account: it is recorded as such and never locks the customer.
        late = before.satisfies(ver.required)
        if matched:
            outcome = AnswerOutcome.MATCH
        else:
            outcome = AnswerOutcome.NO_MATCH_LATE if late else AnswerOutcome.NO_MATCH
        uow.verifications.add_attempt(
            ver.verification_id,
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
                "verification_id": ver.verification_id,
                "question": question.value,
                "result": outcome.value,
            },
        )
        if outcome is AnswerOutcome.NO_MATCH:
            self._lockout.lock_if_due(uow, session, ver, now)
        updated = uow.verifications.get(ver.verification_id)
        assert updated is not None
        self.note_level(uow, session, before, updated)
        return AnswerResult(question, outcome, "", self.status(uow, updated, now))

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
            result=AnswerOutcome.REJECTED.value,
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
        return AnswerResult(
            question, AnswerOutcome.REJECTED, rejection.reason, self.status(uow, ver, now)
        )

    def note_level(
        self,
        uow: UnitOfWork,
        session: Session,
        before: VerificationLevel,
        ver: VerificationRecord,
    ) -> None:
        """Record a level newly reached (by an answer or the affirmation)."""
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

    def status(self, uow: UnitOfWork, ver: VerificationRecord, now: datetime) -> VerificationStatus:
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
            lock=self._lockout.view(uow, ver.customer_id, now),
        )
