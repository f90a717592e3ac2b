"""Verification rules as properties: levels, the corrected field, the lockout window, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csconsole.adapters.policy_files import load_profile
from csconsole.domain.policy import (
    CorrectableField,
    QuestionKind,
    RequestType,
    VerificationLevel,
    VerificationRules,
)
from csconsole.domain.verification import (
    AnswerRecord,
    QuestionNotAllowed,
    VerificationError,
    VerificationExpired,
    VerificationRecord,
    expires_at,
    failures_in_window,
    is_expired,
    level_reached,
    proof_kinds,
    should_lock,
)

PROFILES = {name: load_profile(name) for name in ("diamond-nexus", "national-diamond-outlet")}
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

profiles = st.sampled_from(sorted(PROFILES))
kinds = st.sets(st.sampled_from(list(QuestionKind)))
fields = st.sets(st.sampled_from(list(CorrectableField)))


def rules_of(name: str) -> VerificationRules:
    return PROFILES[name].verification


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_levels_by_request_and_field(name: str) -> None:
    rules = rules_of(name)
    assert rules.level_for(RequestType.MAILING_OPT_OUT) is VerificationLevel.NONE
    assert rules.level_for(RequestType.ACCESS) is VerificationLevel.STANDARD
    assert rules.level_for(RequestType.DATA_COPY) is VerificationLevel.HIGH
    assert rules.level_for(RequestType.CORRECTION, [CorrectableField.NAME]) is (
        VerificationLevel.STANDARD
    )
    assert rules.level_for(RequestType.CORRECTION, [CorrectableField.EMAIL]) is (
        VerificationLevel.HIGH
    )
    assert rules.requirement(VerificationLevel.STANDARD).data_points == 2
    high = rules.requirement(VerificationLevel.HIGH)
    assert high.data_points == 3 and high.affirmation


@given(profiles, kinds, fields, st.booleans())
def test_the_corrected_field_never_counts(
    name: str, matched: set[QuestionKind], corrected: set[CorrectableField], affirmed: bool
) -> None:
    rules = rules_of(name)
    proof = proof_kinds(rules, corrected)
    not_proof = {k for f in corrected for k in rules.fields[f].not_proof}
    assert not (set(proof) & not_proof)
    with_it = level_reached(rules, matched | not_proof, proof, affirmed)
    without = level_reached(rules, matched - not_proof, proof, affirmed)
    assert with_it == without


@given(profiles, kinds, st.sampled_from(list(QuestionKind)), st.booleans())
def test_more_matching_answers_never_lower_the_level(
    name: str, matched: set[QuestionKind], extra: QuestionKind, affirmed: bool
) -> None:
    rules = rules_of(name)
    proof = proof_kinds(rules)
    before = level_reached(rules, matched, proof, affirmed)
    after = level_reached(rules, matched | {extra}, proof, affirmed)
    assert after.rank >= before.rank


@given(profiles, kinds)
def test_high_needs_three_points_and_the_affirmation(name: str, matched: set[QuestionKind]) -> None:
    rules = rules_of(name)
    proof = proof_kinds(rules)
    points = len(matched)
    without = level_reached(rules, matched, proof, affirmed=False)
    with_it = level_reached(rules, matched, proof, affirmed=True)
    assert without is not VerificationLevel.HIGH
    assert (with_it is VerificationLevel.HIGH) == (points >= 3)
    assert without.satisfies(VerificationLevel.STANDARD) == (points >= 2)


@given(
    profiles,
    st.lists(st.integers(min_value=0, max_value=72 * 3600), min_size=1, max_size=12).map(sorted),
)
def test_lockout_after_exactly_max_failures_within_the_window(
    name: str, offsets: list[int]
) -> None:
    rule = rules_of(name).lockout
    window = rule.window_hours * 3600
    times = [T0 + timedelta(seconds=s) for s in offsets]
    # Checked after each wrong answer, as the service does.
    locked_at = next(
        (i for i in range(len(times)) if should_lock(times[: i + 1], times[i], rule)), None
    )
    expected = next(
        (
            i
            for i in range(len(offsets))
            if sum(1 for s in offsets[: i + 1] if offsets[i] - window < s) >= rule.max_failures
        ),
        None,
    )
    assert locked_at == expected
    if locked_at is not None:
        assert locked_at + 1 >= rule.max_failures
        in_window = [s for s in offsets[: locked_at + 1] if offsets[locked_at] - s < window]
        assert len(in_window) == rule.max_failures


@given(profiles, st.integers(min_value=1, max_value=10))
def test_failures_spread_wider_than_the_window_never_lock(name: str, count: int) -> None:
    rule = rules_of(name).lockout
    spacing = timedelta(hours=rule.window_hours) / (rule.max_failures - 1)
    times = [T0 + spacing * i for i in range(count)]
    for i in range(len(times)):
        assert not should_lock(times[: i + 1], times[i], rule)
    assert failures_in_window(times, times[-1], rule) == min(count, rule.max_failures - 1)


def test_lockout_boundaries() -> None:
    rule = rules_of("diamond-nexus").lockout
    just_inside = [T0, T0 + timedelta(hours=12), T0 + timedelta(hours=23, minutes=59)]
    assert should_lock(just_inside, just_inside[-1], rule)
    on_the_edge = [T0, T0 + timedelta(hours=12), T0 + timedelta(hours=24)]
    assert not should_lock(on_the_edge, on_the_edge[-1], rule)


@given(profiles, st.integers(min_value=0, max_value=10_000))
def test_expiry(name: str, seconds: int) -> None:
    rules = rules_of(name)
    expiry = expires_at(T0, rules)
    now = T0 + timedelta(seconds=seconds)
    assert is_expired(expiry, now) == (seconds >= rules.expiry_minutes * 60)


def _record(
    answers: tuple[AnswerRecord, ...] = (), fields: tuple[CorrectableField, ...] = ()
) -> VerificationRecord:
    return VerificationRecord(
        verification_id=1,
        case_id=1,
        customer_id=2,
        staff_id=1,
        request=RequestType.CORRECTION,
        fields=fields,
        required=VerificationLevel.HIGH,
        started_at=T0,
        expires_at=T0 + timedelta(minutes=30),
        ended_at=None,
        affirmed_at=None,
        answers=answers,
    )


def test_a_question_may_be_asked_once_and_only_while_open() -> None:
    rules = rules_of("diamond-nexus")
    ver = _record((AnswerRecord(QuestionKind.PHONE, False, T0),), fields=(CorrectableField.EMAIL,))
    ver.check_can_answer(QuestionKind.BILLING_POSTCODE, T0, rules)
    with pytest.raises(QuestionNotAllowed, match="asked already") as asked:
        ver.check_can_answer(QuestionKind.PHONE, T0, rules)
    assert asked.value.code == "asked_already"
    with pytest.raises(QuestionNotAllowed, match="being corrected") as corrected:
        ver.check_can_answer(QuestionKind.EMAIL, T0, rules)
    assert corrected.value.code == "not_proof"
    with pytest.raises(VerificationExpired) as expired:
        ver.check_can_answer(QuestionKind.BILLING_POSTCODE, T0 + timedelta(minutes=30), rules)
    assert expired.value.code == "expired"
    assert isinstance(expired.value, VerificationError)
    remaining = ver.remaining(rules.question_kinds, rules)
    assert QuestionKind.EMAIL not in remaining and QuestionKind.PHONE not in remaining
    assert QuestionKind.BILLING_POSTCODE in remaining
