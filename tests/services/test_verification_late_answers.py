"""A wrong answer after the caller reached the needed level is recorded as ``no_match_late`` and
does not count towards the lockout (real encrypted cache, real service)."""

from __future__ import annotations

from csconsole.domain.policy import QuestionKind
from csconsole.domain.verification_answers import AnswerOutcome
from tests.casework import JANE, CaseWorld, audit_rows


def test_wrong_answers_after_the_level_is_reached_do_not_lock(world: CaseWorld) -> None:
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="caller on the line"
    )
    svc = world.console.verification
    vid = svc.start(rep, case.case_id).verification_id
    assert svc.answer(rep, vid, QuestionKind.EMAIL, "jane.smith@example.org").outcome is (
        AnswerOutcome.MATCH
    )
    passed = svc.answer(rep, vid, QuestionKind.PHONE, "(212) 555-4990")
    assert passed.status.passed
    results = []
    for kind, wrong in [
        (QuestionKind.BILLING_POSTCODE, "99999"),
        (QuestionKind.CARD_LAST4, "0000"),
        (QuestionKind.LAST_ORDER_NUMBER, "DN999999999"),
    ]:
        results.append(svc.answer(rep, vid, kind, wrong))
    assert [r.outcome for r in results] == [AnswerOutcome.NO_MATCH_LATE] * 3
    last = results[-1].status
    assert not last.lock.locked and last.lock.failures_in_window == 0
    assert last.passed and last.usable  # still verified, nothing ended
    assert (QuestionKind.BILLING_POSTCODE, False) in last.asked  # it was asked
    recorded = [r[3]["result"] for r in audit_rows(world.console) if r[0] == "verification.answer"]
    assert recorded == ["match", "match", "no_match_late", "no_match_late", "no_match_late"]
    assert not svc.lock_state(rep, JANE).locked
